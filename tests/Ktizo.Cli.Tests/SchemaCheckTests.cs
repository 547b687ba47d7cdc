using Ktizo.Testing;
using Ktizo.Testing.Git;

namespace Ktizo.Cli.Tests;

/// <summary>
/// The schema check every command applies by default, from a fresh clone: the schemas ship inside ktizo, so
/// nothing outside the repository (no Talos reference material) is read.
/// </summary>
public sealed class SchemaCheckTests : IDisposable
{
    /// <summary>Points the reference material nowhere, so a run that depended on it would fail.</summary>
    private static readonly Dictionary<string, string> NoReference = new() { [TalosReference.Variable] = "/nonexistent/talos-reference" };

    private readonly TempGitRemote _git = new();

    public SchemaCheckTests() => ExampleRepository.CopyTo(_git.WorkPath);

    public void Dispose() => _git.Dispose();

    [Fact]
    public void Validate_AtACommitWithASchemaTypoForV113_ExitsOneNamingDeviceDocumentAndPath()
    {
        _git.WriteFile("templates/patches/all/60-typo.yaml", "machine:\n    kubelet:\n        extraArg:\n            v: \"2\"\n");
        _git.Commit("A kubelet flag, misspelt");

        var run = CliRun.Invoke(NoReference, "validate", "--repo", _git.WorkPath, "--rev", "HEAD");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains(
            "inventory/devices/worker-01.yaml:1:1: error schema: rendered config for worker-01, document 1 (v1alpha1) at '/machine/kubelet/extraArg': this key is not in the schema",
            run.Error,
            StringComparison.Ordinal);
        Assert.Contains("(talos-v1.13.schema.json)", run.Error, StringComparison.Ordinal);
        Assert.Contains("5 errors", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AtACommitOfTheExample_PassesTheShippedSchema()
    {
        _git.Commit("Example inventory");

        var run = CliRun.Invoke(NoReference, "validate", "--repo", _git.WorkPath, "--rev", "HEAD");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Empty(run.Error);
    }

    [Fact]
    public void Render_WithASchemaTypo_WritesNothing()
    {
        _git.WriteFile("templates/patches/all/60-typo.yaml", "machine:\n    instal:\n        disk: /dev/sdb\n");
        var output = _git.NewFolder("out");

        var run = CliRun.Invoke(NoReference, "render", "--repo", _git.WorkPath, "--out", output);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("'/machine/instal'", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Validate_WhenTalosVersionHasNoShippedSchema_ExitsOneNamingTheSupportedVersions()
    {
        SetTalosVersion("v1.14.0");

        var run = CliRun.Invoke(NoReference, "validate", "--repo", _git.WorkPath);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/cluster.yaml:7:15: error unsupported-talos-version: talosVersion v1.14.0 has no Talos config schema in this Ktizo; supported: v1.11, v1.12, v1.13", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTalosVersionHasNoShippedSchema_TakesTheOneGivenWithSchema()
    {
        SetTalosVersion("v1.14.0");

        var run = CliRun.Invoke(NoReference, "validate", "--repo", _git.WorkPath, "--schema", TalosShaped.Schema);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
    }

    private void SetTalosVersion(string version)
    {
        var path = Path.Combine(_git.WorkPath, "inventory/cluster.yaml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("talosVersion: v1.13.9", $"talosVersion: {version}", StringComparison.Ordinal));
    }
}
