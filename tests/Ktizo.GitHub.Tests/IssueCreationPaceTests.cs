using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// GitHub limits creating issues below its general content limit (observed: about 20 a minute, 150 an
/// hour, often answered without retry-after). Issue 21: the stand-in models that, and the worker stays under it.
/// </summary>
public sealed class IssueCreationPaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StandIn_WhenIssuesComeFasterThan20AMinute_ThrottlesThemSometimesWithoutRetryAfter()
    {
        // Real time: at the harness's usual 1000x a GitHub minute is 60 ms, which 23 requests can outlast on a loaded machine.
        await using var h = await Harness.StartAsync(output, factor: 1);
        using var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 23; i++)
        {
            answers.Add(await http.PostAsync("repos/acme/cluster/issues", new StringContent($$"""{"title":"issue {{i}}"}""", Encoding.UTF8, "application/json")));
        }

        Assert.All(answers.Take(20), a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.All(answers.Skip(20), a => Assert.Equal(HttpStatusCode.Forbidden, a.StatusCode));
        Assert.Equal([true, false, true], answers.Skip(20).Select(a => a.Headers.Contains("retry-after")));
        Assert.Contains("secondary rate limit", await answers[^1].Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Comments are content too, but not this endpoint: they are still taken.
        using var comment = await http.PostAsync("repos/acme/cluster/issues/1/comments", new StringContent("""{"body":"still fine"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task Worker_When50MachinesBootAtOnce_OpensTheirIssuesUnderTheIssueLimitWithoutAThrottle()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(50))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options();
        var start = h.Clock.GetUtcNow();
        h.StartWorker(h.Service(outbox, options), options);
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "every sighting filed", seconds: 60);
        var took = h.Clock.GetUtcNow() - start;
        output.WriteLine($"50 machines on GitHub after {took.TotalSeconds:F0} s GitHub time");

        Assert.Equal(50, h.OpenPlaces().Count);
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Throttled);
        var creates = h.StandIn.Requests.Where(r => r is { Method: "POST", Path: "/repos/acme/cluster/issues" }).Select(r => r.At).ToList();
        Assert.Equal(50, creates.Count);
        Assert.All(creates, t => Assert.InRange(creates.Count(u => u > t - TimeSpan.FromMinutes(1) && u <= t), 1, options.MaxIssueCreationsPerMinute));

        // 15 a minute: three full minutes before the last 5 (docs/benchmarks.md, item 4, and the README's promise).
        // No upper bound: at 1000× the timers' own overshoot stretches GitHub time under a loaded machine.
        Assert.True(creates[^1] - creates[0] >= TimeSpan.FromMinutes(3), $"50 issues in {(creates[^1] - creates[0]).TotalSeconds:F0} s");
    }
}
