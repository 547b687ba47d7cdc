using System.Collections.Concurrent;
using System.Net;
using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Ktizo.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>The gatekeeper as its own process, killed with SIGKILL while machines are asking.</summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-crash");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Kill_WhileNewMachinesAreAsking_LosesNoAnsweredFirstSighting_AndLeavesTheStoreReadable()
    {
        _remote.PushExample();
        using var gatekeeper = await GatekeeperProcess.StartAsync(
            Path.Combine(AppContext.BaseDirectory, "Ktizo.Gatekeeper.dll"),
            [
                "--repository", _remote.BarePath, "--branch", "main", "--data-folder", _data.Sub("data"),
                "--urls", "http://127.0.0.1:0", "--rate-limit-permits", "0",
            ],
            _data.Path);
        var answered = new ConcurrentBag<MacAddress>();
        try
        {
            using var client = new HttpClient { BaseAddress = gatekeeper.Url, Timeout = TimeSpan.FromSeconds(10) };
            await GatekeeperProcess.WaitReadyAsync(client);

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
            gatekeeper.Process.Kill(entireProcessTree: true);
            await killed.CancelAsync();
            await Task.WhenAll(askers);
            await gatekeeper.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            // The child's log, trimmed: the request lines of a flood say nothing.
            foreach (var line in gatekeeper.Output.Where(l => !l.Contains("config/download", StringComparison.Ordinal)).Take(60))
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
}
