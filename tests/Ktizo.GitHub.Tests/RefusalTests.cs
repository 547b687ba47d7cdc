using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ktizo.Testing.GitHub;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// Issue 21: answers GitHub gives that no retry cures (410 issues disabled, 403 "Resource not accessible by
/// integration"), secondary limits as 429, and GitHub Enterprise Server without rate-limit headers.
/// </summary>
public sealed class RefusalTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("issues_disabled")]
    [InlineData("not_accessible")]
    public async Task StandIn_WhenSwitchedToRefuse_AnswersWithGitHubsPayloadAndHeaders(string refusal)
    {
        await using var h = await Harness.StartAsync(output);
        using var http = Client(h);
        if (refusal == "issues_disabled")
        {
            h.StandIn.IssuesDisabled = true;
        }
        else
        {
            h.StandIn.WritesNotAccessible = true;
        }

        using var list = await http.GetAsync("repos/acme/cluster/issues?labels=ktizo%2Fpending");
        using var create = await http.PostAsync("repos/acme/cluster/issues", new StringContent("""{"title":"x"}""", Encoding.UTF8, "application/json"));
        using var repo = await http.GetAsync("repos/acme/cluster");

        var (refused, status, message) = refusal == "issues_disabled"
            ? (list, 410, GitHubStandIn.IssuesDisabledMessage)
            : (create, 403, GitHubStandIn.NotAccessibleMessage);
        Assert.Equal(status, (int)refused.StatusCode);
        using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
        Assert.StartsWith("https://docs.github.com/rest/", json.RootElement.GetProperty("documentation_url").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.Contains("x-ratelimit-remaining"));
        Assert.Equal(status, (int)create.StatusCode);
        Assert.Equal(refusal == "issues_disabled" ? 410 : 200, (int)list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repo.StatusCode);
    }

    [Fact]
    public async Task StandIn_WithoutRateLimitHeaders_AnswersWithNoXRateLimitHeaderAtAll()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.SendsRateLimitHeaders = false;
        using var http = Client(h);
        using var answer = await http.GetAsync("repos/acme/cluster");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers, header => header.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("issues_disabled")]
    [InlineData("not_accessible")]
    public async Task Worker_WhenGitHubRefusesForGood_ParksWithOneActionableLineAndFilesEverythingOnceFixed(string refusal)
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(3))
        {
            outbox.AddSighting(s);
        }

        var reason = refusal == "issues_disabled" ? GitHubRefusalReason.IssuesDisabled : GitHubRefusalReason.NotAccessible;
        var refusedStatus = refusal == "issues_disabled" ? 410 : 403;
        SetRefusal(h.StandIn, refusal, on: true);
        var options = h.Options(); // RefusedBackoff: the default 30 min (1.8 s real)
        var service = h.Service(outbox, options);
        var worker = h.StartWorker(service, options);

        // Two refused passes: the second comes a whole RefusedBackoff after the first, not after FailureBackoff (2 s).
        await Harness.WaitForAsync(() => h.StandIn.Requests.Count(r => r.Status == refusedStatus) >= 2, "two refused passes", seconds: 30);
        var refused = h.StandIn.Requests.Where(r => r.Status == refusedStatus).OrderBy(r => r.At).Take(2).ToList();
        // The accelerated clock's timers may fire a few GitHub-seconds early; the point is 30 min, not 2 s doubling.
        Assert.True(refused[1].At - refused[0].At >= TimeSpan.FromMinutes(29), $"retried after {(refused[1].At - refused[0].At).TotalMinutes:F1} min");
        await Harness.WaitForAsync(() => service.Health.Refusals(reason) >= 2, "two refusals counted");
        Assert.Equal(reason, service.Health.Parked?.Reason);
        Assert.Equal(3, outbox.UnfiledCount);

        var advice = Assert.Single(h.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("GitHub refuses", StringComparison.Ordinal));
        Assert.Contains(refusal == "issues_disabled" ? "issues are disabled on acme/cluster" : "Resource not accessible by integration", advice, StringComparison.Ordinal);
        Assert.Contains(refusal == "issues_disabled" ? "unset KTIZO_GITHUB__REPOSITORY" : "KTIZO_GITHUB_TOKEN", advice, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("GitHub pass failed", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(h.StandIn.Token, StringComparison.Ordinal));

        // Fixed by a person: the next try files every waiting machine, once.
        SetRefusal(h.StandIn, refusal, on: false);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "every sighting filed after the fix", seconds: 30);
        Assert.Equal(3, h.OpenPlaces().Count);
        Assert.All(h.OpenPlaces().Values, places => Assert.Single(places));
        await Harness.WaitForAsync(() => service.Health.Parked is null, "unparked");
        Assert.Contains(h.Logs.Lines, l => l.Contains("GitHub takes the pending-device issues of acme/cluster again", StringComparison.Ordinal));
        Assert.Equal(0, worker.Failures);
    }

    [Fact]
    public void PermanentOf_OnlyIssuesDisabledAndNotAccessible_AreRefusalsForGood()
    {
        // Only "Issues are disabled" parks; any other 410 is about one issue and takes the ordinary failure path.
        var deleted = new Octokit.ApiException("This issue was deleted", HttpStatusCode.Gone);
        var disabled = new Octokit.ApiException(GitHubStandIn.IssuesDisabledMessage, HttpStatusCode.Gone);
        var narrow = new Octokit.ApiException(GitHubStandIn.NotAccessibleMessage, HttpStatusCode.Forbidden);

        Assert.Null(GitHubRefusal.PermanentOf(deleted));
        Assert.Equal(GitHubRefusalReason.IssuesDisabled, GitHubRefusal.PermanentOf(disabled));
        Assert.Equal(GitHubRefusalReason.NotAccessible, GitHubRefusal.PermanentOf(narrow));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(30)]
    public async Task Worker_When429SecondaryLimit_WaitsItOutCountsItAndNeverFailsAPass(int? retryAfterSeconds)
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(3))
        {
            outbox.AddSighting(s);
        }

        h.StandIn.ThrottleSecondary(TimeSpan.FromSeconds(45), retryAfterSeconds is { } s2 ? TimeSpan.FromSeconds(s2) : null, status: 429);
        var options = h.Options();
        var service = h.Service(outbox, options);
        var worker = h.StartWorker(service, options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "every sighting filed", seconds: 30);

        var throttled = h.StandIn.Requests.Where(r => r.Throttled).OrderBy(r => r.At).ToList();
        Assert.NotEmpty(throttled);
        Assert.All(throttled, r => Assert.Equal(429, r.Status));
        var after = h.StandIn.Requests.First(r => r.At > throttled[^1].At);
        Assert.True(after.At - throttled[^1].At >= TimeSpan.FromSeconds(retryAfterSeconds ?? 60), $"sent again after {(after.At - throttled[^1].At).TotalSeconds:F0} s");
        Assert.Equal(throttled.Count, service.Health.Refusals(GitHubRefusalReason.SecondaryLimit));
        Assert.Equal(0, worker.Failures);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("GitHub pass failed", StringComparison.Ordinal));
        Assert.Null(service.Health.Parked);
        Assert.Equal(3, h.OpenPlaces().Count);
    }

    [Fact]
    public async Task RunPass_WithoutRateLimitHeaders_CompletesPacedByItsOwnBudgetsAndSaysSoOnce()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.SendsRateLimitHeaders = false;
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(20))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options();
        var service = h.Service(outbox, options);
        while (outbox.UnfiledCount > 0)
        {
            await service.RunPassAsync(CancellationToken.None);
        }

        Assert.Equal(20, h.OpenPlaces().Count);
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Throttled);
        var mutations = h.StandIn.Requests.Where(r => r.Mutating).OrderBy(r => r.At).ToList();
        Assert.All(mutations.Zip(mutations.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= TimeSpan.FromSeconds(1), "mutations a second apart"));
        var creates = mutations.Where(r => r is { Method: "POST", Path: "/repos/acme/cluster/issues" }).Select(r => r.At).ToList();
        Assert.Equal(20, creates.Count);
        Assert.All(creates, t => Assert.InRange(creates.Count(u => u > t - TimeSpan.FromMinutes(1) && u <= t), 1, options.MaxIssueCreationsPerMinute));
        Assert.True(service.Health.RateLimitHeadersMissing);
        Assert.Single(h.Logs.Lines, l => l.Contains("without rate-limit headers", StringComparison.Ordinal));
    }

    private static void SetRefusal(GitHubStandIn standIn, string refusal, bool on)
    {
        if (refusal == "issues_disabled")
        {
            standIn.IssuesDisabled = on;
        }
        else
        {
            standIn.WritesNotAccessible = on;
        }
    }

    private static HttpClient Client(Harness h)
    {
        var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);
        return http;
    }
}
