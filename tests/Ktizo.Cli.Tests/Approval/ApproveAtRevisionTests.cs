using Ktizo.Testing;
using Ktizo.Testing.Git;

namespace Ktizo.Cli.Tests.Approval;

/// <summary>With --rev the proposal is judged against a commit (what the pull request merges into), not the working folder.</summary>
public sealed class ApproveAtRevisionTests : IDisposable
{
    private readonly TempGitRemote _git = new();

    public ApproveAtRevisionTests()
    {
        ExampleRepository.CopyTo(_git.WorkPath);
        _git.Commit("Example inventory");
    }

    public void Dispose() => _git.Dispose();

    [Fact]
    public void Approve_AtRevision_IgnoresUncommittedBreakageAndWritesIntoTheWorkingFolder()
    {
        File.WriteAllText(Path.Combine(_git.WorkPath, "inventory/devices/cp-01.yaml"), "mac: broken\n");

        var run = CliRun.Invoke("approve", "52:54:00:12:34:56", "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _git.WorkPath, "--rev", "HEAD");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(_git.WorkPath, "inventory/devices/worker-04.yaml")));
    }

    [Fact]
    public void Approve_AtRevision_WhenTheFileIsOnlyInTheWorkingFolder_StillRefusesToOverwriteIt()
    {
        var path = Path.Combine(_git.WorkPath, "inventory/devices/worker-04.yaml");
        File.WriteAllText(path, "# mine\n");

        var run = CliRun.Invoke("approve", "52:54:00:12:34:56", "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _git.WorkPath, "--rev", "HEAD");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("error file-exists", run.Error, StringComparison.Ordinal);
        Assert.Equal("# mine\n", File.ReadAllText(path));
    }

    [Fact]
    public void Approve_AtRevision_SeesConflictsInTheCommit()
    {
        var run = CliRun.Invoke("approve", "525400000511", "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _git.WorkPath, "--rev", "HEAD");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("error duplicate-mac", run.Error, StringComparison.Ordinal);
    }
}
