using Ktizo.Testing;
using Ktizo.Testing.Git;

namespace Ktizo.Cli.Tests;

/// <summary>`--rev` and `diff` read committed trees of a real temporary repository, never the working tree.</summary>
public sealed class GitSourceTests : IDisposable
{
    private readonly TempGitRemote _git = new();
    private readonly string _base;

    public GitSourceTests()
    {
        ExampleRepository.CopyTo(_git.WorkPath);
        _base = _git.Commit("Example inventory");
    }

    public void Dispose() => _git.Dispose();

    [Fact]
    public void Render_AtRevision_UsesTheCommitAndIgnoresUncommittedEdits()
    {
        File.WriteAllText(Path.Combine(_git.WorkPath, "inventory/devices/cp-01.yaml"), "mac: broken\n");
        var output = _git.NewFolder("out");

        var run = CliRun.Invoke("render", "--repo", _git.WorkPath, "--rev", "HEAD", "--out", output);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("hostname: cp-01", File.ReadAllText(Path.Combine(output, "52-54-00-00-05-11.yaml")), StringComparison.Ordinal);
        Assert.Contains($"\"commit\": \"{_base}\"", File.ReadAllText(Path.Combine(output, "manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WithoutRevision_SeesTheUncommittedEdit()
    {
        File.WriteAllText(Path.Combine(_git.WorkPath, "inventory/devices/cp-01.yaml"), "mac: broken\n");

        Assert.Equal(ExitCodes.Invalid, CliRun.Invoke("validate", "--repo", _git.WorkPath).ExitCode);
        Assert.Equal(ExitCodes.Ok, CliRun.Invoke("validate", "--repo", _git.WorkPath, "--rev", "HEAD").ExitCode);
    }

    [Fact]
    public void Validate_WhenRevisionIsUnknown_ExitsTwo()
    {
        var run = CliRun.Invoke("validate", "--repo", _git.WorkPath, "--rev", "no-such-branch");

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
    }

    [Fact]
    public void Diff_ShowsAddedChangedAndRemovedDevicesWithSecretsRedacted()
    {
        _git.WriteFile("inventory/devices/worker-03.yaml", "mac: 52:54:00:00:05:23\nhostname: worker-03\nrole: worker\nip: 10.0.5.23/24\n");
        _git.WriteFile("inventory/devices/worker-01.yaml", "mac: 52:54:00:00:05:21\nhostname: worker-01\nrole: worker\nip: 10.0.5.31/24\n");
        _git.DeleteFile("inventory/devices/cp-03.yaml");
        var head = _git.Commit("Add worker-03, move worker-01, retire cp-03");

        var run = CliRun.Invoke("diff", _base, head, "--repo", _git.WorkPath);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("1 added, 1 removed, 1 changed", run.Out, StringComparison.Ordinal);
        Assert.Contains("- **worker-03** (`52:54:00:00:05:23`): added", run.Out, StringComparison.Ordinal);
        Assert.Contains("- **cp-03** (`52:54:00:00:05:13`): removed", run.Out, StringComparison.Ordinal);
        Assert.Contains("-    - address: 10.0.5.21/24", run.Out, StringComparison.Ordinal);
        Assert.Contains("+    - address: 10.0.5.31/24", run.Out, StringComparison.Ordinal);
        Assert.Contains("token: '******'", run.Out.Replace("\"******\"", "'******'", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("ktizo1.placeholder00001", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("ktizo0.placeholder00000", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_WhenNothingRenderedChanges_SaysSo()
    {
        _git.WriteFile("inventory/devices/cp-01.yaml", "# a comment only changes nothing rendered\n" + File.ReadAllText(Path.Combine(_git.WorkPath, "inventory/devices/cp-01.yaml")));
        var head = _git.Commit("Comment");

        var run = CliRun.Invoke("diff", _base, head, "--repo", _git.WorkPath);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("No device's config changes.", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_WhenHeadIsInvalid_ExitsOneNamingTheRevision()
    {
        _git.WriteFile("inventory/devices/cp-01.yaml", "mac: broken\n");
        var head = _git.Commit("Break it");

        var run = CliRun.Invoke("diff", _base, head, "--repo", _git.WorkPath);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains($"[{head}]", run.Error, StringComparison.Ordinal);
    }
}
