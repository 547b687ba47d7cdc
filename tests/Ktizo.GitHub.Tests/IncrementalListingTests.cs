using Ktizo.Testing.GitHub;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// The index is kept between passes and refreshed with <c>since</c>; these prove that the refresh is
/// small, that it still sees what other replicas and people did on GitHub, and when a full listing comes back.
/// </summary>
public sealed class IncrementalListingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    // Past ListingMaxAge (10 s): a pass within it reuses the last listing (RunPass_WithinListingMaxAge_…).
    private static readonly TimeSpan PastMaxAge = TimeSpan.FromSeconds(11);

    [Fact]
    public async Task RunPass_After300OpenIssuesWereListed_ListsOnlyWhatChangedSinceThen()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(300))
        {
            h.StandIn.AddIssue(PendingIssueText.Title(s.Mac), PendingIssueText.Body(s), "ktizo/pending");
            outbox.AddSighting(s);
        }

        // Seeded well before the first listing, so the margin before it reaches back to none of them. An hour:
        // at 1000× a reply that takes 100 ms to reach Octokit under load reads GitHub's clock 100 s behind,
        // which moves `since` that much earlier (safe, but a minute of margin let it re-list the seed).
        h.Clock.Jump(Hour);
        var service = h.Service(outbox, h.Options(o => { o.MaxOpenPendingIssues = 1000; o.BatchSize = 300; }), reconcileInterval: Hour);
        var first = await service.RunPassAsync(CancellationToken.None);
        Assert.Equal(300, first.Linked);
        var full = h.Listings();
        Assert.Equal(3, full.Count);
        Assert.All(full, r => Assert.DoesNotContain("since=", r.Query, StringComparison.Ordinal));

        for (var k = 0; k < 3; k++)
        {
            var sighting = Harness.Sightings(1, offset: 1000 + k)[0];
            outbox.AddSighting(sighting);
            h.Clock.Jump(PastMaxAge);
            var before = h.Listings().Count;

            var pass = await service.RunPassAsync(CancellationToken.None);

            Assert.Equal(1, pass.Created);
            var listed = h.Listings().Skip(before).ToList();
            output.WriteLine($"pass {k + 2}: {string.Join(", ", listed.Select(r => r.Query))}");
            Assert.NotEmpty(listed);
            Assert.All(listed, r =>
            {
                Assert.Contains("state=all", r.Query, StringComparison.Ordinal);
                Assert.Contains("since=", r.Query, StringComparison.Ordinal);
                Assert.DoesNotContain("page=2", r.Query, StringComparison.Ordinal);
            });
        }

        Assert.Equal(303, h.OpenPlaces().Count);
        Assert.All(h.OpenPlaces(), p => Assert.Single(p.Value));
    }

    [Fact]
    public async Task RunPass_WhenOtherReplicasFileBetweenPasses_LinksTheirIssueAndClosesTheRacingDuplicate()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var (x, y) = (Harness.Sightings(1)[0], Harness.Sightings(1, offset: 1)[0]);
        outbox.AddSighting(x);
        var service = h.Service(outbox, reconcileInterval: Hour);
        await service.RunPassAsync(CancellationToken.None);
        var kept = outbox.IssueOf(x.Mac)!.Value;

        // Another replica files y through its own service; a third raced on x and opened a second issue.
        var other = new InMemoryIssueOutbox();
        other.AddSighting(y);
        await h.Service(other, reconcileInterval: Hour).RunPassAsync(CancellationToken.None);
        var racing = h.StandIn.AddIssue(PendingIssueText.Title(x.Mac), PendingIssueText.Body(x), "ktizo/pending");
        outbox.AddSighting(y);
        h.Clock.Jump(PastMaxAge);
        var before = h.Listings().Count;

        var pass = await service.RunPassAsync(CancellationToken.None);

        Assert.Contains("since=", h.Listings()[before].Query, StringComparison.Ordinal);
        Assert.Equal((0, 1, 1), (pass.Created, pass.Linked, pass.DuplicatesClosed));
        Assert.Equal(other.IssueOf(y.Mac), outbox.IssueOf(y.Mac));
        var closed = h.StandIn.Issues.Single(i => i.Number == racing);
        Assert.Equal(("closed", "not_planned"), (closed.State, closed.StateReason));
        Assert.StartsWith($"Duplicate of #{kept}", closed.Body);
        Assert.Equal(3, h.StandIn.Issues.Count);
    }

    [Fact]
    public async Task RunPass_WhenAPersonClosesAnIssueBetweenPasses_NoLongerCountsItAsOpen()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(Harness.Sightings(1)[0]);
        var options = h.Options(o => o.MaxOpenPendingIssues = 1);
        var service = h.Service(outbox, options, reconcileInterval: Hour);
        await service.RunPassAsync(CancellationToken.None);
        h.StandIn.CloseIssue(Assert.Single(h.StandIn.Issues).Number);
        outbox.AddSighting(Harness.Sightings(1, offset: 1)[0]);
        h.Clock.Jump(PastMaxAge);

        var pass = await service.RunPassAsync(CancellationToken.None);

        // With the closed issue still counted, the limit of one open single would have sent it to a digest.
        Assert.Equal((1, 0), (pass.Created, pass.Folded));
        Assert.Contains("since=", h.Listings()[^1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPass_AfterAFailedPass_ListsInFullAgain()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(Harness.Sightings(1)[0]);
        var service = h.Service(outbox, reconcileInterval: Hour);
        await service.RunPassAsync(CancellationToken.None);

        // The create lands on GitHub but its answer is lost: the kept index cannot know the issue.
        outbox.AddSighting(Harness.Sightings(1, offset: 1)[0]);
        h.StandIn.FailNext(1, 502, afterProcessing: true, method: "POST");
        h.Clock.Jump(PastMaxAge);
        await Assert.ThrowsAnyAsync<Exception>(() => service.RunPassAsync(CancellationToken.None));
        Assert.Contains("since=", h.Listings()[^1].Query, StringComparison.Ordinal);
        var before = h.Listings().Count;

        var pass = await service.RunPassAsync(CancellationToken.None);

        var listing = h.Listings()[before];
        Assert.DoesNotContain("since=", listing.Query, StringComparison.Ordinal);
        Assert.Contains("state=open", listing.Query, StringComparison.Ordinal);
        Assert.Equal((0, 1), (pass.Created, pass.Linked));
        Assert.Equal(2, h.StandIn.Issues.Count);
    }

    [Fact]
    public async Task RunPass_WithinListingMaxAge_ReusesTheLastListing_AndADecisionListsAnyway()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var (x, y) = (Harness.Sightings(1)[0], Harness.Sightings(1, offset: 1)[0]);
        outbox.AddSighting(x);
        var service = h.Service(outbox, reconcileInterval: Hour, listingMaxAge: Hour);
        await service.RunPassAsync(CancellationToken.None);
        var before = h.Listings().Count;

        // A boot storm: passes follow each other; they file from the kept index without listing again.
        outbox.AddSighting(y);
        var pass = await service.RunPassAsync(CancellationToken.None);

        Assert.Equal(1, pass.Created);
        Assert.Equal(before, h.Listings().Count);

        var decisions = new CommitDecisions("c0ffee1", 7, [x.Mac], []);
        await service.ApplyDecisionsAsync(decisions, CancellationToken.None);

        Assert.Contains("since=", Assert.Single(h.Listings().Skip(before)).Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPass_WhenReconcileIntervalPassed_ListsInFullAgain()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(Harness.Sightings(1)[0]);
        var service = h.Service(outbox, reconcileInterval: Hour);
        await service.RunPassAsync(CancellationToken.None);
        h.Clock.Jump(Hour);
        var before = h.Listings().Count;

        // Nothing new in the outbox: the due reconcile alone starts the pass.
        await service.RunPassAsync(CancellationToken.None);

        Assert.DoesNotContain("since=", Assert.Single(h.Listings().Skip(before)).Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task RunPass_WhenTheReplicaClockIsAnHourOff_StillSeesWhatAnotherReplicaFiled(int sign)
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(Harness.Sightings(1)[0]);
        var service = h.Service(outbox, reconcileInterval: TimeSpan.FromHours(3), clock: new OffsetTimeProvider(h.Clock, sign * Hour));
        await service.RunPassAsync(CancellationToken.None);
        h.Clock.Jump(TimeSpan.FromMinutes(1));
        var y = Harness.Sightings(1, offset: 1)[0];
        var filedElsewhere = h.StandIn.AddIssue(PendingIssueText.Title(y.Mac), PendingIssueText.Body(y), "ktizo/pending");
        outbox.AddSighting(y);

        var pass = await service.RunPassAsync(CancellationToken.None);

        Assert.Contains("since=", h.Listings()[^1].Query, StringComparison.Ordinal);
        Assert.Equal((0, 1), (pass.Created, pass.Linked));
        Assert.Equal(filedElsewhere, outbox.IssueOf(y.Mac));
    }

    /// <summary>A replica's clock that is <paramref name="offset"/> away from GitHub's.</summary>
    private sealed class OffsetTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }
}
