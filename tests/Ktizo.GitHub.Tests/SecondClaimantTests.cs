using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// Second claimants of a MAC on GitHub (docs/device-auth.md): the issue shows the live flows it was opened with,
/// one comment per MAC and episode on its issue (open or closed), never repeated across a restart, bounded per hour.
/// </summary>
public sealed class SecondClaimantTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Seen = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly FlowClaim[] TwoClaims =
    [
        new("4c4c4544-aaaa", "10.0.5.21", Seen.AddSeconds(3), false),
        new("4c4c4544-bbbb", "10.0.9.66", Seen.AddSeconds(40), false),
    ];

    [Fact]
    public async Task NewIssue_ListsTheLiveFlowsItWasOpenedWith_WithoutTheirUserCodes()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0] with { Claims = TwoClaims };
        outbox.AddSighting(sighting);

        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        var body = Assert.Single(h.StandIn.Issues).Body!;
        Assert.Contains("| `4c4c4544-aaaa` | `10.0.5.21` | 2026-12-01 12:00:03 UTC | waiting |", body, StringComparison.Ordinal);
        Assert.Contains("| `4c4c4544-bbbb` | `10.0.9.66` | 2026-12-01 12:00:40 UTC | waiting |", body, StringComparison.Ordinal);
        Assert.Contains("ktizo confirm CODE", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contest_OnAClosedIssue_IsCommentedOnce_AndNotAgainOnTheNextPass()
    {
        await using var h = await Harness.StartAsync(output);
        var (outbox, contests, mac, issue) = await FiledAndApprovedAsync(h);
        contests.Contest(mac, Seen.AddMinutes(5), TwoClaims);
        var service = h.Service(outbox, contests: contests);

        var first = await service.RunPassAsync(CancellationToken.None);
        var second = await service.RunPassAsync(CancellationToken.None);

        Assert.Equal((1, 0), (first.ClaimantsReported, second.ClaimantsReported));
        var comment = Assert.Single(h.StandIn.Issues.Single(i => i.Number == issue).Comments, c => c.Contains("Second claimant", StringComparison.Ordinal));
        Assert.Contains($"**Second claimant of `{mac}`.** Since 2026-12-01 12:05:00 UTC", comment, StringComparison.Ordinal);
        Assert.Contains("`10.0.9.66`", comment, StringComparison.Ordinal);
        Assert.Contains("`ktizo confirm CODE`", comment, StringComparison.Ordinal);
        Assert.Equal("closed", h.StandIn.Issues.Single(i => i.Number == issue).State);
        Assert.True(contests.IsReported(mac));
    }

    [Fact]
    public async Task CrashAfterTheComment_RestartedWorkerFindsItsMarker_AndDoesNotCommentAgain()
    {
        await using var h = await Harness.StartAsync(output);
        var (outbox, contests, mac, issue) = await FiledAndApprovedAsync(h);
        contests.Contest(mac, Seen.AddMinutes(5), TwoClaims);
        contests.BeforeMark = _ => throw new IOException("crash before the store recorded the report");
        await Assert.ThrowsAsync<IOException>(() => h.Service(outbox, contests: contests).RunPassAsync(CancellationToken.None));
        contests.BeforeMark = null;

        var restarted = await h.Service(outbox, contests: contests).RunPassAsync(CancellationToken.None);

        Assert.Equal(0, restarted.ClaimantsReported);
        Assert.True(contests.IsReported(mac));
        Assert.Single(h.StandIn.Issues.Single(i => i.Number == issue).Comments, c => c.Contains("Second claimant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManyContests_AreCommentedUpToTheHourlyLimit_TheRestOnlyLogged()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(5);
        foreach (var s in sightings)
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxClaimantCommentsPerHour = 2);
        await h.Service(outbox, options).RunPassAsync(CancellationToken.None);
        var contests = new InMemoryContestOutbox(outbox);
        foreach (var (s, i) in sightings.Select((s, i) => (s, i)))
        {
            contests.Contest(s.Mac, Seen.AddSeconds(i), TwoClaims);
        }

        var commentsBefore = CommentPosts(h);
        var result = await h.Service(outbox, options, contests: contests).RunPassAsync(CancellationToken.None);

        Assert.Equal(2, result.ClaimantsReported);
        Assert.Equal(2, CommentPosts(h) - commentsBefore);
        Assert.All(sightings, s => Assert.True(contests.IsReported(s.Mac)));
        Assert.Contains(h.Logs.Lines, l => l.Contains("3 second claimants not commented on GitHub (2 an hour", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContestOfAMacNotFiledYet_WaitsForItsIssue_ThenIsCommentedThere()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var contests = new InMemoryContestOutbox(outbox);
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        contests.Contest(sighting.Mac, Seen, TwoClaims);
        var service = h.Service(outbox, contests: contests);

        var filing = await service.RunPassAsync(CancellationToken.None);
        Assert.Equal((1, 0), (filing.Created, filing.ClaimantsReported));
        Assert.False(contests.IsReported(sighting.Mac));

        var next = await service.RunPassAsync(CancellationToken.None);
        Assert.Equal(1, next.ClaimantsReported);
        Assert.Single(h.StandIn.Issues.Single().Comments);
    }

    private static int CommentPosts(Harness h) =>
        h.StandIn.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/comments", StringComparison.Ordinal));

    /// <summary>One MAC filed as a single issue, then approved and its issue closed: a later claimant is reported there.</summary>
    private static async Task<(InMemoryIssueOutbox Outbox, InMemoryContestOutbox Contests, MacAddress Mac, int Issue)> FiledAndApprovedAsync(Harness h)
    {
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var service = h.Service(outbox);
        await service.RunPassAsync(CancellationToken.None);
        outbox.Decide(sighting.Mac, new DeviceDecision(DeviceStatus.Approved, "abc123", null));
        await service.RunPassAsync(CancellationToken.None);
        var issue = outbox.IssueOf(sighting.Mac)!.Value;
        Assert.Equal("closed", h.StandIn.Issues.Single(i => i.Number == issue).State);
        return (outbox, new InMemoryContestOutbox(outbox), sighting.Mac, issue);
    }
}
