using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Http;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// The approved-download path, called directly: it must finish synchronously and allocate next to
/// nothing of its own (issue 6 benchmarks it against nginx serving a static file).
/// </summary>
public sealed class HotPathTests(ITestOutputHelper output) : IDisposable
{
    private static readonly MacAddress Mac = MacAddress.Parse("52:54:00:00:05:11");
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ApprovedDownload_ForAKnownMachine_CompletesSynchronouslyAndAllocatesAlmostNothing()
    {
        using var store = DeviceStore.Open(_folder.Sub("ktizo.db"));
        await store.RecordAsync(Mac, ObservationKind.Download, IPAddress.Loopback, "Talos/1.12", null);
        var state = new ServingState();
        var yaml = "version: v1alpha1\nmachine:\n  type: controlplane\n"u8.ToArray();
        var device = new Device("inventory/devices/cp-01.yaml", Mac, "cp-01", Role.ControlPlane, default, null, null, null, null, [], new Dictionary<string, string>(), []);
        var cluster = new Cluster("c", "https://10.0.5.10:6443", "v1.12.0", null, new ClusterDefaults(null, [], null, null));
        state.Swap(new ServingSnapshot(new RenderedSet("abc", cluster, [new RenderedConfig(device, yaml, "00", "k")], []), "abc", DateTimeOffset.UnixEpoch));
        var metrics = new GatekeeperMetrics(state, store, TimeProvider.System);
        var health = new StoreHealth(metrics, TimeProvider.System, NullLogger<StoreHealth>.Instance);
        var handler = new ConfigDownloadHandler(state, new DeviceSightings(store, new PendingIssueSignal(), health), metrics, NullLogger<ConfigDownloadHandler>.Instance);

        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?mac=52%3A54%3A00%3A00%3A05%3A11&uuid=4c4c4544-0035-3010-8030-c2c04f4a4d32");
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Response.Body = Stream.Null;

        // Warm up (first-call JIT, header dictionary growth), then measure.
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(handler.GetAsync(context).IsCompletedSuccessfully);
        }

        const int calls = 100_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            _ = handler.GetAsync(context);
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
        output.WriteLine($"{perCall:F1} bytes allocated per call, {elapsed.TotalMicroseconds / calls:F2} µs per call");

        Assert.Equal(200, context.Response.StatusCode);
        // DefaultHttpContext formats Content-Length into a string (Kestrel keeps it as a number): ~30 bytes.
        Assert.True(perCall < 64, $"{perCall} bytes per call");
    }
}
