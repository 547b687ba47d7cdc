namespace Ktizo.Cli.Tests.Approval;

public sealed class PrCommentCommandTests : IAsyncLifetime
{
    private readonly ApprovalFixture _f = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task PrComment_WhenRunOnEachPush_KeepsOneCommentAndUpdatesIt()
    {
        var gitHub = await _f.StartGitHubAsync();
        var number = gitHub.AddIssue("Approve worker-04", "body");
        var body = Path.Combine(_f.Repo, "diff.md");

        File.WriteAllText(body, "## ktizo diff\n\n1 added\n");
        var first = await _f.InvokeWithGitHubAsync(_f.Environment(), "pr-comment", "--pr", $"{number}", "--marker", "diff", "--body-file", body);
        File.WriteAllText(body, "## ktizo diff\n\n2 added\n");
        var second = await _f.InvokeWithGitHubAsync(_f.Environment(), "pr-comment", "--pr", $"{number}", "--marker", "diff", "--body-file", body);

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (first.ExitCode, second.ExitCode));
        Assert.StartsWith("created comment ", first.Out, StringComparison.Ordinal);
        Assert.StartsWith("updated comment ", second.Out, StringComparison.Ordinal);
        var comment = Assert.Single(Assert.Single(gitHub.Issues, i => i.Number == number).Comments);
        Assert.StartsWith("## ktizo diff\n\n2 added\n", comment, StringComparison.Ordinal);
        Assert.Contains("<!-- ktizo:diff -->", comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrComment_WhenTheBodyIsOverGitHubsLimit_PostsItCutShortWithANote()
    {
        var gitHub = await _f.StartGitHubAsync();
        var number = gitHub.AddIssue("Approve worker-04", "body");
        var body = Path.Combine(_f.Repo, "diff.md");
        File.WriteAllText(body, string.Concat(Enumerable.Repeat("+ a line of a long diff\n", 4000)));

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), "pr-comment", "--pr", $"{number}", "--marker", "diff", "--body-file", body);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var comment = Assert.Single(Assert.Single(gitHub.Issues).Comments);
        Assert.True(comment.Length < 65_536, $"{comment.Length} characters");
        Assert.Contains("cut short", comment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrComment_WhenTheTokenIsWrong_ExitsTwoAndNeverPrintsIt()
    {
        var gitHub = await _f.StartGitHubAsync();
        var number = gitHub.AddIssue("Approve worker-04", "body");
        var body = Path.Combine(_f.Repo, "diff.md");
        File.WriteAllText(body, "## ktizo diff\n");

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(ApprovalFixture.WrongToken), "pr-comment", "--pr", $"{number}", "--marker", "diff", "--body-file", body);

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.DoesNotContain(ApprovalFixture.WrongToken, run.Out + run.Error, StringComparison.Ordinal);
        Assert.Empty(Assert.Single(gitHub.Issues).Comments);
    }

    [Theory]
    [InlineData("--marker", "has space")]
    [InlineData("--marker", "-->")]
    [InlineData("--pr", "x")]
    public void PrComment_WhenCommandLineIsWrong_ExitsTwo(string option, string value)
    {
        var args = new List<string> { "pr-comment", "--pr", "1", "--marker", "diff", "--body-file", "diff.md" };
        args[args.IndexOf(option) + 1] = value;

        var run = CliRun.Invoke([.. args]);

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
    }

    [Fact]
    public async Task PrComment_WhenTheBodyFileIsMissing_ExitsTwo()
    {
        await _f.StartGitHubAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), "pr-comment", "--pr", "1", "--marker", "diff", "--body-file", Path.Combine(_f.Repo, "missing.md"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }
}
