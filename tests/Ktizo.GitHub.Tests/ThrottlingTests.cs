using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class ThrottlingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task RunPass_WhenSecondaryLimitSendsRetryAfter_WaitsThatLongOnceAndThenFiles(int status)
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(5))
        {
            outbox.AddSighting(s);
        }

        h.StandIn.ThrottleSecondary(TimeSpan.FromSeconds(120), retryAfter: TimeSpan.FromSeconds(120), status);
        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        var log = h.StandIn.Requests;
        var throttled = Assert.Single(log, r => r.Throttled);
        Assert.Equal(status, throttled.Status);
        var next = log.First(r => r.At > throttled.At);
        Assert.True(next.At - throttled.At >= TimeSpan.FromSeconds(120), $"retried after {(next.At - throttled.At).TotalSeconds} s");
        Assert.Equal(0, outbox.UnfiledCount);
        Assert.Equal(5, h.OpenPlaces().Count);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task RunPass_WhenSecondaryLimitHasNoRetryAfter_WaitsAMinuteThenBacksOffExponentially(int status)
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(3))
        {
            outbox.AddSighting(s);
        }

        // 179 s from the first refusal: the retry after 60 s is still refused even if a loaded machine
        // stretches that wait by up to 119 s of the accelerated clock, and the next one (≥ 180 s) always passes.
        h.StandIn.ThrottleSecondary(TimeSpan.FromSeconds(179), retryAfter: null, status);
        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        var log = h.StandIn.Requests.OrderBy(r => r.At).ToList();
        // Refused at 0 s, waits 60 s, refused again (the limit lasts 179 s), waits 120 s, gets through.
        var throttled = log.Where(r => r.Throttled).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.All(throttled, r => Assert.Equal(status, r.Status));
        Assert.True(throttled[1].At - throttled[0].At >= TimeSpan.FromSeconds(60));
        var through = log.First(r => r.At > throttled[1].At);
        Assert.False(through.Throttled);
        Assert.True(through.At - throttled[1].At >= TimeSpan.FromSeconds(120));
        Assert.Equal(0, outbox.UnfiledCount);
    }

    [Fact]
    public async Task RunPass_WhenPrimaryLimitIsUsedUpElsewhere_WaitsForTheResetAfterOne403()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.Limits.PrimaryLimit = 100;
        h.StandIn.Limits.PrimaryWindow = TimeSpan.FromHours(1); // 3.6 s real: start-up cannot outlast it
        h.StandIn.ConsumePrimary(100);
        var reset = h.StandIn.PrimaryReset;
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(5))
        {
            outbox.AddSighting(s);
        }

        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        var log = h.StandIn.Requests.OrderBy(r => r.At).ToList();
        var throttled = Assert.Single(log, r => r.Throttled);
        Assert.Equal(403, throttled.Status);
        Assert.All(log.Where(r => r != throttled), r => Assert.True(r.At >= reset, $"request at {r.At:O} before reset {reset:O}"));
        Assert.Equal(0, outbox.UnfiledCount);
    }

    [Fact]
    public async Task Worker_WhenThePrimaryLimitRunsOut_PausesUntilResetWithoutEverBeingRefused()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.Limits.PrimaryLimit = 25;
        h.StandIn.Limits.PrimaryWindow = TimeSpan.FromMinutes(5);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(60))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxOpenPendingIssues = 1000);
        h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "all filed across several windows");

        var log = h.StandIn.Requests.OrderBy(r => r.At).ToList();
        Assert.DoesNotContain(log, r => r.Throttled);
        // At 1 request per second, 60 issues would take one window; with 25 per 5 minutes it takes three.
        Assert.True(log[^1].At - log[0].At >= TimeSpan.FromMinutes(10), $"finished after {(log[^1].At - log[0].At).TotalMinutes:F1} min");
        Assert.Equal(60, h.OpenPlaces().Count);
    }

    [Fact]
    public async Task RunPass_WhenContentCreationLimitIsLow_StaysUnderItInsteadOfHittingIt()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.Limits.ContentCreationsPerHour = 30;
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(40))
        {
            outbox.AddSighting(s);
        }

        // Budget 20 per hour: two labels and 38 issues need two extra hours, and no 403.
        var options = h.Options(o => { o.MaxOpenPendingIssues = 1000; o.MaxContentCreationsPerHour = 20; });
        await h.Service(outbox, options).RunPassAsync(CancellationToken.None);

        var creations = h.StandIn.Requests.Where(r => r.ContentCreating).OrderBy(r => r.At).ToList();
        Assert.DoesNotContain(creations, r => r.Throttled);
        Assert.Equal(42, creations.Count);
        Assert.True(creations[^1].At - creations[0].At >= TimeSpan.FromHours(2));
        Assert.All(creations, c => Assert.True(creations.Count(u => u.At > c.At - TimeSpan.FromHours(1) && u.At <= c.At) <= 20));
    }
}
