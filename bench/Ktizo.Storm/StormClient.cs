using System.Diagnostics;
using System.Globalization;

namespace Ktizo.Storm;

/// <summary>
/// A boot storm as the gatekeeper sees it: COUNT machines it has never seen, each asking for its config once,
/// started evenly over SECONDS whatever the answers take (open loop, so a slow answer cannot slow the storm
/// down and hide its own latency, as a closed loop like wrk's would).
/// </summary>
public static class StormClient
{
    /// <summary>Prints one line: sent, 403s, other statuses, errors, latency p50/p90/p99/max in ms, first and last send (unix ms).</summary>
    public static async Task<int> RunAsync(Uri gatekeeper, int count, double seconds, int run)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = gatekeeper,
            Timeout = TimeSpan.FromSeconds(30),
        };
        // The client's own start (JIT of HttpClient, the first connection) took 60–90 ms and delayed the storm's first
        // ~15 requests against nginx as much as against the gatekeeper: with 2,000 requests that alone is p99. One
        // request the gatekeeper does not record (its readiness probe; nginx answers it 404) warms the client first.
        using (await http.GetAsync("readyz"))
        {
        }

        var latencies = new double[count];
        var statuses = new int[count];
        var interval = TimeSpan.FromSeconds(seconds / count);
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var requests = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            requests[i] = AskAsync(http, Mac(run, i), i, latencies, statuses);
        }

        var lastSent = DateTimeOffset.UtcNow;
        await Task.WhenAll(requests);
        Array.Sort(latencies);
        Console.WriteLine(string.Join(' ',
            count,
            statuses.Count(s => s == 403),
            statuses.Count(s => s is > 0 and not 403),
            statuses.Count(s => s == 0),
            Ms(Percentile(latencies, 0.50)),
            Ms(Percentile(latencies, 0.90)),
            Ms(Percentile(latencies, 0.99)),
            Ms(latencies[^1]),
            started.ToUnixTimeMilliseconds(),
            lastSent.ToUnixTimeMilliseconds()));
        return 0;
    }

    /// <summary>A locally administered MAC, distinct per run and index, never in an inventory.</summary>
    public static string Mac(int run, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"02-5b-{run & 0xff:x2}-{(index >> 16) & 0xff:x2}-{(index >> 8) & 0xff:x2}-{index & 0xff:x2}");

    private static async Task AskAsync(HttpClient http, string mac, int index, double[] latencies, int[] statuses)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync($"api/v1/config/download?mac={mac}");
            await response.Content.ReadAsByteArrayAsync();
            statuses[index] = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            statuses[index] = 0;
        }

        latencies[index] = watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Nearest rank.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
