using System.Diagnostics;
using Ktizo.Core;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class StormAndRaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Worker_When500MacsAppearAtOnce_PutsEachOnGitHubOnceAndFoldsTheRestIntoADigest()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(500);
        foreach (var s in sightings)
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxOpenPendingIssues = 50);
        var started = Stopwatch.StartNew();
        var virtualStart = h.Clock.GetUtcNow();
        h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "every sighting filed");
        output.WriteLine($"500 MACs filed in {started.Elapsed.TotalSeconds:F2} s real, {(h.Clock.GetUtcNow() - virtualStart).TotalSeconds:F0} s GitHub time");

        var places = h.OpenPlaces();
        Assert.Equal(500, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        Assert.All(sightings, s => Assert.Equal(places[s.Mac][0], outbox.IssueOf(s.Mac)));
        var singles = h.StandIn.Issues.Where(i => i.Title.StartsWith("Pending device ", StringComparison.Ordinal)).ToList();
        Assert.Equal(50, singles.Count);
        var digest = Assert.Single(h.StandIn.Issues, i => i.Title == PendingIssueText.DigestTitle);
        Assert.Contains("ktizo/digest", digest.Labels);
        Assert.Equal(450, PendingIssueText.Parse(digest.Title, digest.Body).DigestEntries!.Count);
        AssertPaced(h, options.MinMutationInterval);
    }

    [Fact]
    public async Task Worker_When500MacsAndNoDigest_Opens500IssuesPacedInsideTheSecondaryLimits()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(500))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxOpenPendingIssues = 1000);
        var started = Stopwatch.StartNew();
        h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "every sighting filed", seconds: 120);
        output.WriteLine($"500 single issues in {started.Elapsed.TotalSeconds:F2} s real");

        var places = h.OpenPlaces();
        Assert.Equal(500, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Throttled);
        AssertPaced(h, options.MinMutationInterval);
        // Never more than the configured budget (400) of content creation in any sliding hour.
        var creations = h.StandIn.Requests.Where(r => r.ContentCreating && r.Status < 300).Select(r => r.At).ToList();
        Assert.All(creations, t => Assert.True(creations.Count(u => u > t - TimeSpan.FromHours(1) && u <= t) <= 400));
        Assert.Equal(500 + 2, creations.Count); // 500 issues and two labels
    }

    [Fact]
    public async Task Worker_WhenRestartedMidway_FilesTheRestWithoutDuplicates()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(120))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => { o.MaxOpenPendingIssues = 1000; o.BatchSize = 10; });
        var first = h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount <= 60, "half filed");
        await h.StopWorkerAsync(first);
        Assert.InRange(outbox.UnfiledCount, 1, 60);

        h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "all filed after restart");

        var places = h.OpenPlaces();
        Assert.Equal(120, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        Assert.Equal(120, h.StandIn.Issues.Count);
    }

    [Fact]
    public async Task Worker_WhenItCrashesBetweenCreateAndRecord_FindsTheIssueInsteadOfOpeningAnother()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        outbox.BeforeRecord = (_, _) => throw new IOException("store went away");

        await Assert.ThrowsAsync<IOException>(() => h.Service(outbox).RunPassAsync(CancellationToken.None));
        Assert.Single(h.StandIn.Issues);
        Assert.Null(outbox.IssueOf(sighting.Mac));

        outbox.BeforeRecord = null;
        var result = await h.Service(outbox).RunPassAsync(CancellationToken.None);

        Assert.Equal((0, 1), (result.Created, result.Linked));
        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal(issue.Number, outbox.IssueOf(sighting.Mac));
    }

    [Fact]
    public async Task Workers_WhenTwoReplicasSeeTheSameMacs_LeaveOneOpenPlacePerMac()
    {
        await using var h = await Harness.StartAsync(output);
        var a = new InMemoryIssueOutbox();
        var b = new InMemoryIssueOutbox();
        var shared = Harness.Sightings(100);
        foreach (var s in shared)
        {
            a.AddSighting(s);
            b.AddSighting(s);
        }

        foreach (var s in Harness.Sightings(30, offset: 1000))
        {
            a.AddSighting(s);
        }

        foreach (var s in Harness.Sightings(30, offset: 2000))
        {
            b.AddSighting(s);
        }

        var options = h.Options(o => { o.MaxOpenPendingIssues = 60; o.BatchSize = 20; });
        h.StartWorker(h.Service(a, options), options);
        h.StartWorker(h.Service(b, options), options);
        await Harness.WaitForAsync(() => a.UnfiledCount == 0 && b.UnfiledCount == 0, "both replicas filed everything");

        // Let both reconcile once more (every minute of GitHub time) so racing duplicates are closed.
        var until = h.Clock.GetUtcNow() + TimeSpan.FromMinutes(3);
        await Harness.WaitForAsync(() => h.Clock.GetUtcNow() > until, "three minutes of GitHub time");
        // Eventually every MAC has exactly one open place: a pass may be between closing a duplicate and the
        // survivor's next edit when the clock passes, so wait for the state rather than read it at one instant.
        await Harness.WaitForAsync(() => h.OpenPlaces() is var open && open.Count == 160 && open.All(p => p.Value.Count == 1), "one open place for each of the 160 MACs");

        var places = h.OpenPlaces();
        Assert.Equal(160, places.Count);
        foreach (var s in shared)
        {
            await Harness.WaitForAsync(() => a.IssueOf(s.Mac) == places[s.Mac][0] && b.IssueOf(s.Mac) == places[s.Mac][0], $"both outboxes point {s.Mac} at its survivor");
        }

        output.WriteLine($"{h.StandIn.Issues.Count(i => i.State == "closed")} racing duplicates were opened and closed");
        Assert.All(
            h.StandIn.Issues.Where(i => i.State == "closed"),
            i => Assert.Equal(("not_planned", true), (i.StateReason, i.Body!.StartsWith("Duplicate of #", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task RunPass_WhenTwoIssuesExistForOneMac_ClosesTheLaterAsDuplicateAndRecordsTheEarlier()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = Harness.Sightings(1)[0];
        outbox.AddSighting(sighting);
        var earlier = h.StandIn.AddIssue(PendingIssueText.Title(sighting.Mac), PendingIssueText.Body(sighting), "ktizo/pending");
        var later = h.StandIn.AddIssue(PendingIssueText.Title(sighting.Mac), PendingIssueText.Body(sighting), "ktizo/pending");
        await outbox.RecordIssueAsync(sighting.Mac, later, CancellationToken.None);

        var result = await h.Service(outbox).RunPassAsync(CancellationToken.None);

        Assert.Equal(1, result.DuplicatesClosed);
        var closed = h.StandIn.Issues.Single(i => i.Number == later);
        Assert.Equal(("closed", "not_planned"), (closed.State, closed.StateReason));
        Assert.StartsWith($"Duplicate of #{earlier}", closed.Body);
        Assert.Equal("open", h.StandIn.Issues.Single(i => i.Number == earlier).State);
        Assert.Equal(earlier, outbox.IssueOf(sighting.Mac));
    }

    [Fact]
    public async Task Worker_WhenGitHubIsDownForAnHour_FilesEveryMacOnceAfterItComesBack()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(80))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxOpenPendingIssues = 40);
        await h.StandIn.GoDownAsync();
        var worker = h.StartWorker(h.Service(outbox, options), options);
        var back = h.Clock.GetUtcNow() + TimeSpan.FromHours(1);
        await Harness.WaitForAsync(() => h.Clock.GetUtcNow() >= back, "an hour of GitHub time");
        var failuresWhileDown = worker.Failures;
        Assert.Equal(80, outbox.UnfiledCount);
        Assert.Empty(h.StandIn.Requests);

        await h.StandIn.ComeUpAsync();
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "all filed after recovery");

        var places = h.OpenPlaces();
        Assert.Equal(80, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        // Backoff, not a busy loop: 2, 4 … 64 s, then every 120 s: about 36 attempts in the hour, never hundreds.
        Assert.InRange(failuresWhileDown, 20, 40);
    }

    [Fact]
    public async Task Worker_WhenACreateFailsAfterGitHubProcessedIt_DoesNotOpenItTwice()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(10))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options();
        var service = h.Service(outbox, options);
        await service.RunPassAsync(CancellationToken.None);
        Assert.Equal(0, outbox.UnfiledCount);

        foreach (var s in Harness.Sightings(10, offset: 100))
        {
            outbox.AddSighting(s);
        }

        h.StandIn.FailNext(1, 502, afterProcessing: true, method: "POST");
        await Assert.ThrowsAnyAsync<Exception>(() => service.RunPassAsync(CancellationToken.None));
        h.StandIn.FailNext(1, 500, afterProcessing: true, method: "POST");
        await Assert.ThrowsAnyAsync<Exception>(() => service.RunPassAsync(CancellationToken.None));
        await service.RunPassAsync(CancellationToken.None);

        Assert.Equal(0, outbox.UnfiledCount);
        Assert.Equal(2, h.StandIn.Requests.Count(r => r is { Method: "POST", Path: "/repos/acme/cluster/issues", Status: >= 500 }));
        var places = h.OpenPlaces();
        Assert.Equal(20, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        Assert.Equal(20, h.StandIn.Issues.Count);
    }

    /// <summary>Mutating requests never overlap and start at least <paramref name="interval"/> after the previous one.</summary>
    internal static void AssertPaced(Harness h, TimeSpan interval)
    {
        var mutations = h.StandIn.Requests.Where(r => r.Mutating).OrderBy(r => r.At).ToList();
        Assert.NotEmpty(mutations);
        for (var i = 1; i < mutations.Count; i++)
        {
            var gap = mutations[i].At - mutations[i - 1].At;
            Assert.True(gap >= interval, $"mutations {i - 1} and {i} only {gap.TotalMilliseconds} ms apart in GitHub time");
        }
    }
}
