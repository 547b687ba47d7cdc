using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class DecisionTests(ITestOutputHelper output)
{
    private const string Commit = "9fceb02d0ae598e95dc970b74767f19372d61af8";

    [Fact]
    public async Task ApplyDecisions_WhenACommitApproves_CommentsWithCommitAndPullRequestAndClosesAsCompleted()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var service = h.Service(outbox);
        await service.RunPassAsync(CancellationToken.None);

        var result = await service.ApplyDecisionsAsync(new CommitDecisions(Commit, 12, [sighting.Mac], []), CancellationToken.None);

        Assert.Equal(1, result.IssuesClosed);
        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal(("closed", "completed"), (issue.State, issue.StateReason));
        var comment = Assert.Single(issue.Comments);
        Assert.Contains($"Approved by commit {Commit} (pull request #12)", comment);
        Assert.True(outbox.IsClosed(sighting.Mac));
    }

    [Fact]
    public async Task ApplyDecisions_WhenACommitRejects_ClosesAsNotPlanned()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var service = h.Service(outbox);
        await service.RunPassAsync(CancellationToken.None);

        await service.ApplyDecisionsAsync(new CommitDecisions(Commit, null, [], [sighting.Mac]), CancellationToken.None);

        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal(("closed", "not_planned"), (issue.State, issue.StateReason));
        Assert.StartsWith($"Rejected by commit {Commit}.", Assert.Single(issue.Comments));
        Assert.True(outbox.IsClosed(sighting.Mac));
    }

    [Fact]
    public async Task ApplyDecisions_WhenAnotherReplicaOpenedTheIssue_FindsItOnGitHubAndClosesIt()
    {
        await using var h = await Harness.StartAsync(output);
        var sighting = Harness.Sightings(1)[0];
        var number = h.StandIn.AddIssue(PendingIssueText.Title(sighting.Mac), PendingIssueText.Body(sighting), "ktizo/pending");

        var result = await h.Service(new InMemoryIssueOutbox()).ApplyDecisionsAsync(new CommitDecisions(Commit, 3, [sighting.Mac], []), CancellationToken.None);

        Assert.Equal(1, result.IssuesClosed);
        Assert.Equal("closed", h.StandIn.Issues.Single(i => i.Number == number).State);
    }

    [Fact]
    public async Task ApplyDecisions_WhenTheMacIsInTheDigest_TicksItsLineAndClosesTheDigestWhenAllAreDecided()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(3);
        foreach (var s in sightings)
        {
            outbox.AddSighting(s);
        }

        var service = h.Service(outbox, h.Options(o => o.MaxOpenPendingIssues = 0));
        await service.RunPassAsync(CancellationToken.None);
        var digest = Assert.Single(h.StandIn.Issues);
        Assert.Equal(3, PendingIssueText.Parse(digest.Title, digest.Body).DigestEntries!.Count);

        var first = await service.ApplyDecisionsAsync(new CommitDecisions(Commit, 4, [sightings[0].Mac], [sightings[1].Mac]), CancellationToken.None);

        Assert.Equal(new DecisionResult(0, 2), first);
        digest = Assert.Single(h.StandIn.Issues);
        Assert.Equal("open", digest.State);
        Assert.Contains($"- [x] `{sightings[0].Mac}` approved by {Commit} (#4)", digest.Body);
        Assert.Contains($"- [x] `{sightings[1].Mac}` rejected by {Commit} (#4)", digest.Body);
        Assert.Contains($"- [ ] `{sightings[2].Mac}`", digest.Body);

        await service.ApplyDecisionsAsync(new CommitDecisions(Commit, null, [sightings[2].Mac], []), CancellationToken.None);
        Assert.Equal(("closed", "completed"), (h.StandIn.Issues[0].State, h.StandIn.Issues[0].StateReason));
        Assert.All(sightings, s => Assert.True(outbox.IsClosed(s.Mac)));
    }

    [Fact]
    public async Task RunPass_WhenTheDecisionCameDuringAnOutage_ClosesTheIssueOnceGitHubIsBack()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var service = h.Service(outbox);
        await service.RunPassAsync(CancellationToken.None);

        await h.StandIn.GoDownAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => service.ApplyDecisionsAsync(new CommitDecisions(Commit, 5, [sighting.Mac], []), CancellationToken.None));
        // The store keeps the decision from the sync; the next pass after recovery acts on it.
        outbox.Decide(sighting.Mac, new DeviceDecision(DeviceStatus.Approved, Commit, 5));
        Assert.False(outbox.IsClosed(sighting.Mac));
        await h.StandIn.ComeUpAsync();

        var result = await service.RunPassAsync(CancellationToken.None);

        Assert.Equal(1, result.Resolved);
        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal("closed", issue.State);
        Assert.Contains(Commit, Assert.Single(issue.Comments));
        Assert.True(outbox.IsClosed(sighting.Mac));
        Assert.Equal(IssuePassResult.Idle, await service.RunPassAsync(CancellationToken.None));
    }
}
