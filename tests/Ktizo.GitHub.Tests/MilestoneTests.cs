using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>Ktizo's updates leave fields it does not own alone: a milestone a person set survives (issue 21).</summary>
public sealed class MilestoneTests(ITestOutputHelper output)
{
    private const string Commit = "9fceb02d0ae598e95dc970b74767f19372d61af8";

    [Fact]
    public async Task StandIn_WhenOctokitUpdatesAnIssue_ClearsItsMilestoneAsGitHubDoes()
    {
        await using var h = await Harness.StartAsync(output);
        var number = h.StandIn.AddIssue("an issue", "body");
        h.StandIn.SetMilestone(number, h.StandIn.AddMilestone("rack 7"));
        var client = h.Repository(h.Options()).Client;

        var read = await client.Issue.Get("acme", "cluster", number);
        Assert.Equal("rack 7", read.Milestone.Title);

        // Octokit 14 sends "milestone": null with every IssueUpdate, whatever else it carries.
        await client.Issue.Update("acme", "cluster", number, new Octokit.IssueUpdate { Title = "renamed" });

        Assert.Null(h.StandIn.Issues.Single(i => i.Number == number).Milestone);
    }

    [Fact]
    public async Task ApplyDecisions_WhenAPersonSetAMilestone_ClosesTheIssueAndKeepsIt()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var service = h.Service(outbox);
        await service.RunPassAsync(CancellationToken.None);
        var number = Assert.Single(h.StandIn.Issues).Number;
        var milestone = h.StandIn.AddMilestone("rack 7");
        h.StandIn.SetMilestone(number, milestone);

        await service.ApplyDecisionsAsync(new CommitDecisions(Commit, 4, [sighting.Mac], []), CancellationToken.None);

        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal(("closed", "completed"), (issue.State, issue.StateReason));
        Assert.Equal(milestone, issue.Milestone);
    }

    [Fact]
    public async Task RunPass_WhenClosingADuplicateWithAMilestone_KeepsIt()
    {
        await using var h = await Harness.StartAsync(output);
        var sighting = Harness.Sightings(1)[0];
        var kept = h.StandIn.AddIssue(PendingIssueText.Title(sighting.Mac), PendingIssueText.Body(sighting), "ktizo/pending");
        var duplicate = h.StandIn.AddIssue(PendingIssueText.Title(sighting.Mac), PendingIssueText.Body(sighting), "ktizo/pending");
        var milestone = h.StandIn.AddMilestone("rack 7");
        h.StandIn.SetMilestone(duplicate, milestone);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(sighting);

        var result = await h.Service(outbox).RunPassAsync(CancellationToken.None);

        Assert.Equal(1, result.DuplicatesClosed);
        var closed = h.StandIn.Issues.Single(i => i.Number == duplicate);
        Assert.Equal(("closed", "not_planned"), (closed.State, closed.StateReason));
        Assert.StartsWith($"Duplicate of #{kept}", closed.Body, StringComparison.Ordinal);
        Assert.Equal(milestone, closed.Milestone);
    }

    [Fact]
    public async Task DigestEdits_WhenAPersonSetAMilestone_KeepIt_UntilTheDigestCloses()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(2);
        outbox.AddSighting(sightings[0]);
        var service = h.Service(outbox, h.Options(o => o.MaxOpenPendingIssues = 0));
        await service.RunPassAsync(CancellationToken.None);
        var digest = Assert.Single(h.StandIn.Issues).Number;
        var milestone = h.StandIn.AddMilestone("rack 7");
        h.StandIn.SetMilestone(digest, milestone);

        outbox.AddSighting(sightings[1]);
        await service.RunPassAsync(CancellationToken.None);
        Assert.Equal(2, PendingIssueText.Parse(null, Assert.Single(h.StandIn.Issues).Body).DigestEntries!.Count);
        Assert.Equal(milestone, h.StandIn.Issues[0].Milestone);

        await service.ApplyDecisionsAsync(new CommitDecisions(Commit, null, [.. sightings.Select(s => s.Mac)], []), CancellationToken.None);

        Assert.Equal(("closed", milestone), (h.StandIn.Issues[0].State, h.StandIn.Issues[0].Milestone));
    }
}
