using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>The gatekeeper as its own process, killed with SIGKILL while machines are asking.</summary>
public sealed partial class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-crash");
    private readonly ConcurrentQueue<string> _childOutput = new();

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Kill_WhileNewMachinesAreAsking_LosesNoAnsweredFirstSighting_AndLeavesTheStoreReadable()
    {
        _remote.PushExample();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _data.Path,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Ktizo.Gatekeeper.dll"), "--repository", _remote.BarePath, "--branch", "main",
            "--data-folder", _data.Sub("data"), "--urls", "http://127.0.0.1:0", "--rate-limit-permits", "0",
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var answered = new ConcurrentBag<MacAddress>();
        try
        {
            using var client = new HttpClient { BaseAddress = await ListeningUrlAsync(process), Timeout = TimeSpan.FromSeconds(10) };
            await WaitReadyAsync(client);

            var next = 0L;
            using var killed = new CancellationTokenSource();
            var askers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!killed.IsCancellationRequested)
                {
                    var mac = MacAddress.FromValue(0x0200_0000_0000UL + (ulong)Interlocked.Increment(ref next));
                    try
                    {
                        using var response = await client.GetAsync($"/api/v1/config/download?mac={mac}");
                        if (response.StatusCode == HttpStatusCode.Forbidden)
                        {
                            answered.Add(mac);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            process.Kill(entireProcessTree: true);
            await killed.CancelAsync();
            await Task.WhenAll(askers);
            await process.WaitForExitAsync();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            // The child's log, trimmed: the request lines of a flood say nothing.
            foreach (var line in _childOutput.Where(l => !l.Contains("config/download", StringComparison.Ordinal)).Take(60))
            {
                output.WriteLine(line);
            }
        }

        output.WriteLine($"{answered.Count} machines answered 403 before the kill");
        Assert.True(answered.Count > 10, "the test did not get enough requests through to mean anything");
        using var store = DeviceStore.Open(Path.Combine(_data.Sub("data"), "ktizo.db"));
        var records = await store.ListAsync();
        var recorded = records.Select(r => r.Mac).ToHashSet();
        Assert.All(answered, mac => Assert.Contains(mac, recorded));
    }

    private async Task<Uri> ListeningUrlAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.WriteLine(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                // Keep draining stdout so the child never blocks on a full pipe.
                _ = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync() is { } more)
                    {
                        _childOutput.Enqueue(more);
                    }
                });
                _ = Task.Run(async () => _childOutput.Enqueue(await process.StandardError.ReadToEndAsync()));
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("the gatekeeper exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    private static async Task WaitReadyAsync(HttpClient client)
    {
        for (var i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("never ready");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
