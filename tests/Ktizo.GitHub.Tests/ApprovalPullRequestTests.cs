using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class ApprovalPullRequestTests(ITestOutputHelper output)
{
    private const string DeviceFile = "mac: 52:54:00:12:34:56\nhostname: node-01\nrole: worker\nip: 10.0.5.101/24\n";

    private static GitHubApprovalPullRequests Service(Harness h) =>
        new(h.Repository(h.Options()), h.Loggers.CreateLogger<GitHubApprovalPullRequests>());

    [Fact]
    public async Task OpenApprovalPullRequest_WhenGivenADeviceFile_LeavesBranchFileAndPullRequestAsAUserSeesThem()
    {
        await using var h = await Harness.StartAsync(output);
        var mainHead = h.StandIn.Branches["main"];

        var pr = await Service(h).OpenApprovalPullRequestAsync(
            new ApprovalPullRequest("inventory/devices/node-01.yaml", DeviceFile, "Approve node-01 (52:54:00:12:34:56)", "Adds node-01 as a worker at 10.0.5.101/24.\n", 7),
            CancellationToken.None);

        Assert.Equal(("ktizo/approve-node-01", "main"), (pr.Branch, pr.BaseBranch));
        Assert.Equal(pr.CommitSha, h.StandIn.Branches["ktizo/approve-node-01"]);
        Assert.Equal(("Approve node-01 (52:54:00:12:34:56)", mainHead), h.StandIn.CommitOf(pr.CommitSha));
        Assert.Equal(DeviceFile, h.StandIn.FileAt("ktizo/approve-node-01", "inventory/devices/node-01.yaml"));
        Assert.Null(h.StandIn.FileAt("main", "inventory/devices/node-01.yaml"));
        Assert.Equal(mainHead, h.StandIn.Branches["main"]);
        var opened = Assert.Single(h.StandIn.Issues, i => i.IsPullRequest);
        Assert.Equal(pr.Number, opened.Number);
        Assert.Equal(("Approve node-01 (52:54:00:12:34:56)", "open", "ktizo/approve-node-01", "main"), (opened.Title, opened.State, opened.Head, opened.Base));
        Assert.Equal("Adds node-01 as a worker at 10.0.5.101/24.\n\nCloses #7", opened.Body);
        Assert.Equal($"https://github.com/acme/cluster/pull/{pr.Number}", pr.HtmlUrl);
    }

    [Fact]
    public async Task OpenApprovalPullRequest_WhenTheBranchExists_UsesTheNextNameAndKeepsTheOld()
    {
        await using var h = await Harness.StartAsync(output);
        var service = Service(h);
        var request = new ApprovalPullRequest("inventory/devices/node-01.yaml", DeviceFile, "Approve node-01", "body", null);
        var first = await service.OpenApprovalPullRequestAsync(request, CancellationToken.None);

        var second = await service.OpenApprovalPullRequestAsync(request with { Content = DeviceFile.Replace("101", "102", StringComparison.Ordinal) }, CancellationToken.None);

        Assert.Equal("ktizo/approve-node-01-2", second.Branch);
        Assert.Equal(DeviceFile, h.StandIn.FileAt(first.Branch, "inventory/devices/node-01.yaml"));
        Assert.Contains("10.0.5.102", h.StandIn.FileAt(second.Branch, "inventory/devices/node-01.yaml"));
        Assert.Equal(2, h.StandIn.Issues.Count(i => i.IsPullRequest && i.State == "open"));
        Assert.DoesNotContain("Closes #", h.StandIn.Issues[0].Body);
    }

    [Fact]
    public async Task OpenApprovalPullRequest_WhenTheFileExists_UpdatesItOnTheBranch()
    {
        await using var h = await Harness.StartAsync(output);
        const string path = "inventory/cluster.yaml";

        var pr = await Service(h).OpenApprovalPullRequestAsync(new ApprovalPullRequest(path, "name: lab2\n", "Rename cluster", "body", null, "ktizo/rename"), CancellationToken.None);

        Assert.Equal("name: lab2\n", h.StandIn.FileAt(pr.Branch, path));
        Assert.StartsWith("name: lab\n", h.StandIn.FileAt("main", path));
    }

    [Fact]
    public async Task UpsertMarkedComment_WhenCalledOnEachPush_KeepsOneCommentAndEditsIt()
    {
        await using var h = await Harness.StartAsync(output);
        var service = Service(h);
        var pr = await service.OpenApprovalPullRequestAsync(new ApprovalPullRequest("inventory/devices/node-01.yaml", DeviceFile, "Approve node-01", "body", null), CancellationToken.None);

        var first = await service.UpsertMarkedCommentAsync(pr.Number, "diff", "### ktizo diff\n+ node-01", CancellationToken.None);
        var second = await service.UpsertMarkedCommentAsync(pr.Number, "diff", "### ktizo diff\n+ node-01\n+ node-02", CancellationToken.None);
        var patchesBefore = h.StandIn.Requests.Count(r => r.Method == "PATCH");
        var third = await service.UpsertMarkedCommentAsync(pr.Number, "diff", "### ktizo diff\n+ node-01\n+ node-02", CancellationToken.None);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Id, third.Id);
        Assert.Equal(patchesBefore, h.StandIn.Requests.Count(r => r.Method == "PATCH"));
        var comment = Assert.Single(h.StandIn.Issues.Single(i => i.Number == pr.Number).Comments);
        Assert.Equal("### ktizo diff\n+ node-01\n+ node-02\n\n<!-- ktizo:diff -->\n", comment);
    }

    [Fact]
    public async Task NullApprovalPullRequests_WhenAskedForAPullRequest_SaysGitHubIsNotConfigured()
    {
        var e = await Assert.ThrowsAsync<Ktizo.Core.KtizoException>(() => new NullApprovalPullRequests().OpenApprovalPullRequestAsync(new ApprovalPullRequest("p", "c", "t", "b", null), CancellationToken.None));
        Assert.Contains("GitHub:Repository", e.Message);
    }

    [Theory]
    [InlineData("inventory/devices/node-01.yaml", "ktizo/approve-node-01")]
    [InlineData("inventory/devices/wéird name!.yaml", "ktizo/approve-w-ird-name")]
    [InlineData("inventory/devices/.yaml", "ktizo/approve-device")]
    public void BranchFor_WhenGivenAPath_GivesAValidBranchName(string path, string branch) =>
        Assert.Equal(branch, GitHubApprovalPullRequests.BranchFor(path));
}
