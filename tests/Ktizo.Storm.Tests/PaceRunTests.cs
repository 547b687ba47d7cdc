namespace Ktizo.Storm.Tests;

/// <summary>
/// The storm benchmark's GitHub-side figures (docs/benchmarks.md, item 4) come from <see cref="PaceRun"/>: it must
/// be able to show a refusal when the worker outruns the stand-in's issue-creation model, and none when it does not.
/// </summary>
public sealed class PaceRunTests
{
    [Fact]
    public async Task RunAsync_WithTheWorkersDefaults_PutsEveryMachineOnGitHubUnderTheCreationLimitWithoutARefusal()
    {
        var result = await PaceRun.RunAsync(30, factor: 200, issuesPerMinute: null, maxOpen: null, realTimeout: TimeSpan.FromSeconds(60));

        Assert.NotNull(result.AllThere);
        Assert.Equal(30, result.Census.Represented);
        Assert.Equal(0, result.Census.Duplicates);
        Assert.Equal(30, result.IssuesCreated);
        Assert.Equal(0, result.Refused);
        Assert.InRange(result.MaxIssueCreationsPerMinute, 1, 15);

        // 30 issues at 15 a minute: the last cannot be sent before the second minute ends.
        Assert.True(result.AllThere >= TimeSpan.FromSeconds(60), $"all there after {result.AllThere}");
    }

    [Fact]
    public async Task RunAsync_WhenTheWorkerHasNoIssueBudget_IsRefusedAtTheStandInsTwentyFirstIssueAMinute()
    {
        var result = await PaceRun.RunAsync(30, factor: 200, issuesPerMinute: 1000, maxOpen: null, realTimeout: TimeSpan.FromSeconds(60));

        Assert.Equal(30, result.Census.Represented);
        Assert.Equal(0, result.Census.Duplicates);
        Assert.True(result.IssueCreationsRefused >= 1, result.ToString());
        Assert.Equal(20, result.MaxIssueCreationsPerMinute);
    }
}
