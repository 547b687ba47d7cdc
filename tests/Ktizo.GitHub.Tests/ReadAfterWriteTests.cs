using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>GitHub's reads can lag its writes (issue 21): the approving pull request must not depend on them.</summary>
public sealed class ReadAfterWriteTests(ITestOutputHelper output)
{
    private static GitHubApprovalPullRequests Service(Harness h) =>
        new(h.Repository(h.Options()), h.Loggers.CreateLogger<GitHubApprovalPullRequests>());

    [Fact]
    public async Task StandIn_WithReadLag_AnswersANewBranch404UntilTheLagPassed()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.ReadLag = TimeSpan.FromMinutes(5);
        using var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);
        var main = h.StandIn.Branches["main"];

        using var created = await http.PostAsync("repos/acme/cluster/git/refs", new StringContent($$"""{"ref":"refs/heads/lagging","sha":"{{main}}"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var early = await http.GetAsync("repos/acme/cluster/contents/README.md?ref=lagging");
        Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        using var bySha = await http.GetAsync($"repos/acme/cluster/contents/README.md?ref={main}");
        Assert.Equal(HttpStatusCode.OK, bySha.StatusCode);

        await Task.Delay(TimeSpan.FromMinutes(6), h.Clock);

        using var late = await http.GetAsync("repos/acme/cluster/git/refs/heads/lagging");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
    }

    [Fact]
    public async Task OpenApprovalPullRequest_WhenReadsLagTheNewBranch_StillUpdatesTheExistingFile()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.ReadLag = TimeSpan.FromMinutes(1);
        const string path = "inventory/cluster.yaml";

        var pr = await Service(h).OpenApprovalPullRequestAsync(new ApprovalPullRequest(path, "name: lab2\n", "Rename cluster", "body", null, "ktizo/rename"), CancellationToken.None);

        Assert.Equal("name: lab2\n", h.StandIn.FileAt(pr.Branch, path));
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Status == 422);
    }

    [Fact]
    public async Task OpenApprovalPullRequest_WhenTheCommitFails_DeletesTheBranchItCreated()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.FailNext(1, 502, method: "PUT");

        await Assert.ThrowsAsync<GitHubCallException>(() => Service(h).OpenApprovalPullRequestAsync(
            new ApprovalPullRequest("inventory/devices/node-01.yaml", "mac: 52:54:00:12:34:56\n", "Approve node-01", "body", 7),
            CancellationToken.None));

        Assert.Equal(["main"], h.StandIn.Branches.Keys);
        Assert.Contains(h.StandIn.Requests, r => r is { Method: "DELETE", Path: "/repos/acme/cluster/git/refs/heads/ktizo/approve-node-01", Status: 204 });
        Assert.DoesNotContain(h.StandIn.Issues, i => i.IsPullRequest);
    }
}
