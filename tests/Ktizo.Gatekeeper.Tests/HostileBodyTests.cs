using System.Text;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// Bodies a hostile client sends on a raw socket (issue 15, finding 6): malformed chunked encoding and a
/// body slower than Kestrel's minimum data rate. Each is the client's fault: 400 or 408, one debug line,
/// counted by <c>http_requests_received_total</c> under that status, never a 500 with a stack trace.
/// </summary>
public sealed class HostileBodyTests(ITestOutputHelper output)
{
    /// <summary>(what, path, extra header lines): every endpoint that reads a body.</summary>
    public static readonly TheoryData<string, string, string> BodyEndpoints = new()
    {
        { "config POST", "/api/v1/config/download", "Content-Type: application/json" },
        { "register", "/api/v1/devices/register", "Content-Type: application/json" },
        { "webhook", "/api/v1/webhooks/github", "Content-Type: application/json\nX-GitHub-Event: push\nX-Hub-Signature-256: sha256=" + new string('0', 64) },
        { "sign-in", "/ui/signin", "Content-Type: application/x-www-form-urlencoded" },
    };

    [Fact]
    public async Task MalformedChunkedBody_OnEveryBodyEndpoint_Answers400_LogsOneDebugLine_CountsA400()
    {
        var log = new LogRecorder();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles(), services: log.AddTo);
        var failures = new List<string>();

        foreach (var row in BodyEndpoints)
        {
            var (what, path, headers) = ((string)row[0], (string)row[1], (string)row[2]);
            await using var raw = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
            // A valid first chunk, then a chunk size that is not hex.
            await raw.SendAsync($"POST {path} HTTP/1.1\nHost: 127.0.0.1\n{headers}\nTransfer-Encoding: chunked", "5\r\n{\"a\":\r\nZZ\r\nnope\r\n0\r\n\r\n"u8.ToArray());
            var (status, text) = await raw.ReadResponseAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"{what}: {text.Split("\r\n")[0]}");
            if (status != 400)
            {
                failures.Add($"{what}: expected 400, got {status}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(BodyEndpoints.Count(), log.Entries.Count(e => e.Event.Id == 302 && e.Level == LogLevel.Debug));
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
        var received = await ReceivedLinesAsync(gatekeeper);
        Assert.DoesNotContain(received, l => l.Contains("code=\"500\"", StringComparison.Ordinal));
        Assert.DoesNotContain(received, l => l.Contains("code=\"200\"", StringComparison.Ordinal) && l.Contains("method=\"POST\"", StringComparison.Ordinal));
        Assert.Equal(BodyEndpoints.Count(), received.Where(l => l.Contains("code=\"400\"", StringComparison.Ordinal)).Sum(Value));
    }

    [Fact]
    public async Task BodySlowerThanTheMinimumDataRate_Answers408_CountsA408()
    {
        // Kestrel's own default rate (240 bytes/s after a 5 s grace): the setting every deployment runs with.
        var log = new LogRecorder();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles(), services: log.AddTo);
        await using var raw = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
        await raw.SendAsync("POST /api/v1/devices/register HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: 1000");

        var answer = raw.ReadResponseAsync(TimeSpan.FromSeconds(30));
        using var trickle = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 60 && !trickle.IsCancellationRequested; i++)
            {
                try
                {
                    await raw.SendAsync(" "u8.ToArray());
                    await Task.Delay(500, trickle.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    return;
                }
            }
        });
        var (status, text) = await answer;
        await trickle.CancelAsync();
        await sending;

        output.WriteLine(text);
        Assert.Equal(408, status);
        Assert.Contains(log.Entries, e => e.Event.Id == 302 && e.Level == LogLevel.Debug);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
        var received = await ReceivedLinesAsync(gatekeeper);
        Assert.Contains(received, l => l.Contains("code=\"408\"", StringComparison.Ordinal));
        Assert.DoesNotContain(received, l => l.Contains("code=\"500\"", StringComparison.Ordinal));
    }

    private async Task<List<string>> ReceivedLinesAsync(FakeGatekeeper gatekeeper)
    {
        var metrics = await gatekeeper.Client.GetStringAsync("/metrics");
        var lines = metrics.Split('\n').Where(l => l.StartsWith("http_requests_received_total{", StringComparison.Ordinal)).ToList();
        lines.ForEach(output.WriteLine);
        return lines;
    }

    private static int Value(string line) => (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
