using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ktizo.Core;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Gatekeeper.Ui;
using Ktizo.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Security;

/// <summary>
/// Issue 15, finding 5: 100,000 invented MACs made the page and its live part 44 MB each. The page and the list
/// are bounded whatever the store holds, and pending machines nobody approved are forgotten after PendingRetention.
/// </summary>
public sealed class FakeMacTests(ITestOutputHelper output)
{
    private const string ApprovedMac = "52:54:00:00:05:11";
    private const int Fakes = 100_000;

    // The page with 50 pending rows, one approved, counts and search form is ~40 KB; 44 MB was the attack's.
    private const int PageByteBound = 100_000;

    // 100 devices of ~450 bytes of JSON each.
    private const int ListByteBound = 80_000;

    private static MacAddress Fake(int i) => MacAddress.Parse($"02:fa:ce:{i >> 16 & 0xff:x2}:{i >> 8 & 0xff:x2}:{i & 0xff:x2}");

    [Fact]
    public async Task PageAndList_With100000FakeMacsInTheStore_AreBoundedAndStillCount()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(ApprovedMac, "cp-01", "10.0.5.11/24", "controlplane"))]);
        var store = gatekeeper.Host.Get<DeviceStore>();
        var clock = Stopwatch.StartNew();
        // Straight into the store, as a first sighting each (group-committed), not through HTTP.
        for (var chunk = 0; chunk < Fakes; chunk += 10_000)
        {
            await Task.WhenAll(Enumerable.Range(chunk, 10_000).Select(i =>
                store.RecordAsync(Fake(i), ObservationKind.Request, IPAddress.Parse("10.9.0.1"), "Talos/1.12 fake", "4c4c4544-0000-4000-8000-00000000abcd")));
        }

        output.WriteLine($"{Fakes} fake MACs recorded in {clock.ElapsedMilliseconds} ms; store {new FileInfo(store.Path).Length / 1e6:0.0} MB");

        foreach (var path in new[] { "/", "/ui/live" })
        {
            clock.Restart();
            using var response = await gatekeeper.Client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{path}: {html.Length} bytes in {clock.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.InRange(html.Length, 1, PageByteBound);
            Assert.Contains($"{Fakes} pending, 1 approved, 0 rejected", html, StringComparison.Ordinal);
            Assert.Contains($"<span id=\"pending-count\">{Fakes}</span>", html, StringComparison.Ordinal);
            Assert.Contains($"Showing {UiData.PendingShown} of {Fakes}", html, StringComparison.Ordinal);
            // The newest pending is the last one recorded... or one recorded in the same millisecond: a fake, anyway.
            Assert.Contains("02:fa:ce:", html, StringComparison.Ordinal);
            Assert.Contains(ApprovedMac, html, StringComparison.Ordinal);
        }

        // Search by MAC finds one among the hundred thousand, by its beginning in any notation.
        var found = await gatekeeper.Client.GetStringAsync("/?mac=02-FA-CE-01-86-9");
        Assert.InRange(found.Length, 1, PageByteBound);
        Assert.Contains("<tr data-mac=\"02:fa:ce:01:86:9f\">", found, StringComparison.Ordinal);

        // The API: the default page is 100 devices, the next link walks on without overlap.
        clock.Restart();
        using var first = await gatekeeper.Client.GetAsync("/api/v1/devices");
        var firstBody = await first.Content.ReadAsStringAsync();
        output.WriteLine($"/api/v1/devices: {firstBody.Length} bytes in {clock.ElapsedMilliseconds} ms");
        Assert.InRange(firstBody.Length, 1, ListByteBound);
        var page1 = JsonDocument.Parse(firstBody).RootElement;
        var macs1 = page1.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("mac").GetString()!).ToList();
        Assert.Equal(100, macs1.Count);
        Assert.Equal(macs1.Order(StringComparer.Ordinal), macs1);
        var next = page1.GetProperty("next").GetString()!;
        Assert.Equal($"/api/v1/devices?limit=100&after={Uri.EscapeDataString(macs1[^1])}", next);

        var page2 = JsonDocument.Parse(await gatekeeper.Client.GetStringAsync(next)).RootElement;
        var macs2 = page2.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("mac").GetString()!).ToList();
        Assert.Equal(100, macs2.Count);
        Assert.True(string.CompareOrdinal(macs2[0], macs1[^1]) > 0);

        var max = JsonDocument.Parse(await gatekeeper.Client.GetStringAsync("/api/v1/devices?limit=1000")).RootElement;
        Assert.Equal(1000, max.GetProperty("devices").GetArrayLength());
        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=-1", "limit=ten", "after=not-a-mac" })
        {
            using var refused = await gatekeeper.Client.GetAsync("/api/v1/devices?" + bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // The last page has no next link, and the approved device (52:54:…, after every fake) is on it.
        var last = JsonDocument.Parse(await gatekeeper.Client.GetStringAsync($"/api/v1/devices?after={Uri.EscapeDataString(Fake(Fakes - 1).ToString())}")).RootElement;
        Assert.False(last.TryGetProperty("next", out _));
        Assert.Equal([ApprovedMac], last.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("mac").GetString()));
    }

    [Fact]
    public async Task Pruning_RemovesPendingNotSeenForTheRetention_AndKeepsApprovedRejectedAndRecent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        const string RejectedMac = "52:54:00:00:05:99";
        const string StaleMac = "aa:bb:cc:00:00:01";
        const string RecentMac = "aa:bb:cc:00:00:02";
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output,
            [
                ("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(ApprovedMac, "cp-01", "10.0.5.11/24", "controlplane")),
                ("inventory/devices/bad.yaml", MiniRenderer.RejectedFile(RejectedMac)),
            ],
            ["--pending-retention", "30d"],
            services: s => s.AddSingleton<TimeProvider>(time),
            log: logged);
        foreach (var mac in new[] { ApprovedMac, RejectedMac, StaleMac })
        {
            using var _ = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={mac}");
        }

        time.Advance(TimeSpan.FromDays(31));
        using (await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={RecentMac}"))
        {
        }

        // The clock moved past the pruner's first wait: its background pass runs (Wake in case it already had).
        gatekeeper.Host.Get<PendingPruner>().Wake();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await gatekeeper.Client.GetStringAsync("/metrics")).Contains("ktizo_pending_pruned_total 1", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no prune pass within 20 s");
            await Task.Delay(50);
        }

        var list = JsonDocument.Parse(await gatekeeper.Client.GetStringAsync("/api/v1/devices")).RootElement;
        var left = list.GetProperty("devices").EnumerateArray().Where(d => d.TryGetProperty("first_seen", out _)).Select(d => d.GetProperty("mac").GetString()).ToList();
        Assert.Equal([ApprovedMac, RejectedMac, RecentMac], left);
        Assert.Single(logged, l => l.Contains("Pruned 1 never-approved devices not seen for 30d", StringComparison.Ordinal));

        // The pruned machine comes back: a first sighting again, pending again.
        using (var again = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={StaleMac}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await gatekeeper.Client.GetAsync($"/api/v1/devices/{StaleMac}")).StatusCode);
        Assert.Equal(0, await gatekeeper.Host.Get<PendingPruner>().PruneOnceAsync(default));
    }
}
