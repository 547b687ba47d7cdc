namespace Ktizo.Cli.Tests.Approval;

public sealed class RejectCommandTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:12:34:56";
    private const string FileName = "rejected-52-54-00-12-34-56.yaml";
    private readonly ApprovalFixture _f = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public void Reject_WhenMacIsNew_WritesARejectedDeviceFileThatThenValidates()
    {
        var run = CliRun.Invoke("reject", "52-54-00-12-34-56", "--reason", "unknown laptop: not ours", "--issue", "7", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(
            "mac: \"52:54:00:12:34:56\"\nstatus: rejected\nreason: \"unknown laptop: not ours\"\n",
            File.ReadAllText(Path.Combine(_f.Devices, FileName)));
        Assert.Contains($"wrote inventory/devices/{FileName}", run.Out, StringComparison.Ordinal);
        Assert.Contains("The machine is rejected when this file is merged", run.Out, StringComparison.Ordinal);
        Assert.Contains("  git commit -m 'Reject 52:54:00:12:34:56' -m 'Refs #7'\n", run.Out, StringComparison.Ordinal);

        var validate = CliRun.Invoke("validate", "--repo", _f.Repo);
        Assert.Equal(ExitCodes.Ok, validate.ExitCode);
        Assert.Contains("valid: 5 approved and 2 rejected devices", validate.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Reject_WithoutReason_WritesOnlyMacAndStatus()
    {
        var run = CliRun.Invoke("reject", "525400123456", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("mac: \"52:54:00:12:34:56\"\nstatus: rejected\n", File.ReadAllText(Path.Combine(_f.Devices, FileName)));
    }

    [Theory]
    [InlineData("duplicate-mac", "525400000521", null)] // worker-01, approved, bare hex
    [InlineData("invalid-mac", "52:54:00:12:34", null)]
    [InlineData("invalid-reason", Mac, "two\nlines")]
    public void Reject_WhenInvalidOrConflicting_RefusesWithTheValidatorsCodeAndWritesNothing(string code, string mac, string? reason)
    {
        var before = _f.DeviceFileNames();
        string[] args = reason is null ? ["reject", mac, "--repo", _f.Repo] : ["reject", mac, "--reason", reason, "--repo", _f.Repo];

        var run = CliRun.Invoke(args);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains($": error {code}:", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, _f.DeviceFileNames());
    }

    [Fact]
    public void Reject_WhenAlreadyRejected_RefusesAsFileExists()
    {
        var run = CliRun.Invoke("reject", "52-54-00-00-05-99", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/devices/rejected-52-54-00-00-05-99.yaml: error file-exists:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectPr_LeavesBranchFileAndPullRequestThatRefersToTheIssueWithoutClosingIt()
    {
        var gitHub = await _f.StartGitHubAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), "reject", Mac, "--reason", "<b>not ours</b>", "--issue", "7", "--pr", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var pr = Assert.Single(gitHub.Issues, i => i.IsPullRequest);
        Assert.Contains($"opened pull request #{pr.Number}: {$"https://github.com/acme/cluster/pull/{pr.Number}"}", run.Out, StringComparison.Ordinal);
        Assert.Equal(("Reject 52:54:00:12:34:56", "ktizo/reject-52-54-00-12-34-56", "main"), (pr.Title, pr.Head, pr.Base));
        Assert.Equal(
            "mac: \"52:54:00:12:34:56\"\nstatus: rejected\nreason: \"<b>not ours</b>\"\n",
            gitHub.FileAt("ktizo/reject-52-54-00-12-34-56", $"inventory/devices/{FileName}"));
        Assert.Contains("Reason: &lt;b&gt;not ours&lt;/b&gt;", pr.Body, StringComparison.Ordinal);
        Assert.EndsWith("\n\nRefs #7", pr.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Closes", pr.Body, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_f.Devices, FileName)));
    }

    [Fact]
    public async Task RejectPr_WhenTheTokenIsWrong_NeverPrintsIt()
    {
        var gitHub = await _f.StartGitHubAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(ApprovalFixture.WrongToken), "reject", Mac, "--pr", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("401 Bad credentials", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ApprovalFixture.WrongToken, run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(gitHub.Token, run.Out + run.Error, StringComparison.Ordinal);
    }
}
