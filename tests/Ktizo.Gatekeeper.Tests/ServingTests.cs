using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

public sealed class ServingTests(ITestOutputHelper output)
{
    private const string Mac = "52:54:00:00:05:11";

    [Fact]
    public async Task Swap_UnderConcurrentRequests_EveryAnswerComesWhollyFromOneCommit()
    {
        var renderer = new CommitStampRenderer();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files(), renderer: renderer);
        using var stop = new CancellationTokenSource();
        var mismatches = 0;
        var answers = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Mac}");
                var body = await response.Content.ReadAsByteArrayAsync();
                var commit = response.Headers.GetValues("X-Ktizo-Commit").Single();
                var etag = response.Headers.ETag!.Tag;
                if (!Encoding.UTF8.GetString(body).Contains($"commit: {commit}\n", StringComparison.Ordinal)
                    || etag != $"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"")
                {
                    Interlocked.Increment(ref mismatches);
                }

                Interlocked.Increment(ref answers);
            }
        })).ToList();

        for (var i = 0; i < 15; i++)
        {
            gatekeeper.Commit(Files());
            await gatekeeper.Host.SyncAsync();
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        output.WriteLine($"{answers} answers over 16 commits");
        Assert.Equal(0, mismatches);
        Assert.True(answers > 15);
        Assert.Equal(16, renderer.Renders);
    }

    [Fact]
    public async Task Sync_PassesTheServedSetToTheRenderer_SoUnchangedDevicesAreReused()
    {
        var renderer = new MiniRenderer();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files(), renderer: renderer);
        using var before = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Mac}");

        // Same device file, new commit (another file changed): the bytes are the very same array.
        var next = gatekeeper.Commit([.. Files(), ("inventory/devices/other.yaml", MiniRenderer.DeviceFile("52:54:00:00:05:12", "cp-02", "10.0.5.12/24"))]);
        await gatekeeper.Host.SyncAsync();
        await gatekeeper.Host.WaitForCommitAsync(next);

        var state = gatekeeper.Host.Get<Serving.ServingState>();
        var config = state.Snapshot!.Set.Approved[Core.MacAddress.Parse(Mac)];
        using var after = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Mac}");
        Assert.Equal(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal(next, after.Headers.GetValues("X-Ktizo-Commit").Single());
        Assert.Equal(2, renderer.Renders);
        Assert.Equal(await before.Content.ReadAsByteArrayAsync(), config.Yaml);
    }

    // An answer held as pieces (SharedPieces) is written in one span after the headers: the bytes must come back
    // whole and in order, for a config inside one of the connection's 4 KiB blocks and for ones past several.
    [Theory]
    [InlineData(0, 7)]
    [InlineData(9_000, 1)]
    [InlineData(200_000, 4_093)]
    public async Task Download_OfAConfigHeldInPieces_ReturnsItsBytesWhole(int padding, int pieceSize)
    {
        var renderer = new PiecesRenderer(padding, pieceSize);
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files(), renderer: renderer);
        var config = gatekeeper.Host.Get<Serving.ServingState>().Snapshot!.Set.Approved[Core.MacAddress.Parse(Mac)];
        Assert.True(config.Pieces.Length > 1, $"{config.Pieces.Length} piece(s)");

        for (var i = 0; i < 3; i++) // the same connection again: nothing of one answer leaks into the next
        {
            using var response = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Mac}");
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(config.Length, response.Content.Headers.ContentLength);
            Assert.Equal(config.Yaml, body);
            Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"", response.Headers.ETag!.Tag);
        }
    }

    [Fact]
    public async Task RepeatRequests_AreCoalesced_OneRowWriteUntilTheFlush()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files(), ["--store-flush-interval", "1h"]);

        for (var i = 0; i < 50; i++)
        {
            using var response = await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=aa-bb-cc-00-00-01");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(1L, RequestCountOnDisk(gatekeeper, "aa:bb:cc:00:00:01"));
        await gatekeeper.Host.Get<DeviceStore>().FlushAsync();
        Assert.Equal(50L, RequestCountOnDisk(gatekeeper, "aa:bb:cc:00:00:01"));
    }

    [Fact]
    public async Task Download_BeforeAnyCommitIsLoaded_Returns503WithRetryAfter_AndStillRecordsTheMachine()
    {
        var source = new FakeRepositorySource { Reachable = false };
        using var data = new TempFolder();
        await using var host = await GatekeeperHost.StartAsync(
            output, data.Path, data.Sub("data"), services: s => s.AddSingleton<IRepositorySource>(source));

        using var ready = await host.Client.GetAsync("/readyz");
        using var response = await host.GetConfigAsync($"mac={Mac}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(1, host.Get<DeviceStore>().Count);
    }

    [Fact]
    public async Task Remote_WhenUnreachable_IsRetriedWithGrowingBackoff()
    {
        var source = new FakeRepositorySource { Reachable = false };
        using var data = new TempFolder();
        await using var host = await GatekeeperHost.StartAsync(
            output, data.Path, data.Sub("data"), ["--poll-interval", "1h"], s =>
            {
                s.AddSingleton<IRepositorySource>(source);
                s.AddSingleton<IConfigRenderer>(new MiniRenderer());
            });

        // Backoff runs 1 s, 2 s, …: after ~3.5 s there have been three attempts, not dozens.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var readiness = await host.ReadinessAsync();
        Assert.InRange(source.Fetches, 1, 4);
        Assert.Equal(source.Fetches, readiness.GetProperty("consecutive_fetch_failures").GetInt32());
        Assert.Equal("remote unreachable", readiness.GetProperty("last_fetch_error").GetString());

        // Back online: the next retry serves.
        var tree = new InMemoryFileTree(new string('f', 40)).Add("inventory/cluster.yaml", MiniRenderer.ClusterFile);
        source.Commit(tree);
        source.Reachable = true;
        await host.WaitForCommitAsync(new string('f', 40), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Metrics_ExposeRequestsDownloadsDevicesSyncAndRender()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files());
        using (await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Mac}"))
        using (await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=aa:bb:cc:00:00:02"))
        using (await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=not-a-mac"))
        using (await gatekeeper.Client.GetAsync("/readyz"))
        {
        }

        var metrics = await gatekeeper.Client.GetStringAsync("/metrics");

        foreach (var expected in new[]
        {
            "ktizo_config_requests_total{result=\"served\"} 1",
            "ktizo_config_requests_total{result=\"pending\"} 1",
            "ktizo_config_downloads_total 1",
            "ktizo_devices{status=\"approved\"} 1",
            "ktizo_devices{status=\"pending\"} 1",
            "ktizo_sync_total{result=\"success\"} 1",
            "ktizo_render_duration_seconds_count 1",
            "ktizo_served_commit_info{commit=",
            "ktizo_last_sync_age_seconds ",
            "ktizo_render_failing 0",
            "ktizo_config_requests_total{result=\"bad_request\"} 1",
            // Every route but the config download's fast path is counted by prometheus-net.
            "http_requests_received_total{code=\"200\",method=\"GET\",controller=\"\",action=\"\",endpoint=\"/readyz\"}",
        })
        {
            Assert.Contains(expected, metrics, StringComparison.Ordinal);
        }
    }

    /// <summary>MiniRenderer's configs with a comment of <c>padding</c> bytes added, cut into pieces of <c>pieceSize</c> bytes.</summary>
    private sealed class PiecesRenderer(int padding, int pieceSize) : IConfigRenderer
    {
        private readonly MiniRenderer _inner = new();

        public RenderResult Render(IFileTree tree, RenderedSet? previous)
        {
            var result = _inner.Render(tree, null);
            var set = result.Set!;
            var approved = set.Approved.Values.Select(c =>
            {
                byte[] yaml = [.. c.Yaml, .. Encoding.UTF8.GetBytes($"# {new string('x', padding)}\n")];
                return new RenderedConfig(c.Device, [.. yaml.Chunk(pieceSize)], Convert.ToHexStringLower(SHA256.HashData(yaml)), c.InputKey);
            });
            return result with { Set = new RenderedSet(set.Commit, set.Cluster, approved, set.Rejected.Values) };
        }
    }

    private static (string, string)[] Files() =>
        [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(Mac, "cp-01", "10.0.5.11/24", "controlplane"))];

    private static long RequestCountOnDisk(FakeGatekeeper gatekeeper, string mac)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(gatekeeper.DataFolder, "data", "ktizo.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT request_count FROM devices WHERE mac = $mac;";
        command.Parameters.AddWithValue("$mac", mac);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Renders every device anew with the commit written into its bytes, so a mixed answer would show.</summary>
    private sealed class CommitStampRenderer : IConfigRenderer
    {
        private readonly MiniRenderer _inner = new();
        private int _renders;

        public int Renders => Volatile.Read(ref _renders);

        public RenderResult Render(IFileTree tree, RenderedSet? previous)
        {
            Interlocked.Increment(ref _renders);
            var result = _inner.Render(tree, previous: null);
            var stamped = result.Set!.Approved.Values.Select(c =>
            {
                // In two pieces, as shared renders are held: the answer must be both, in order.
                var stamp = Encoding.UTF8.GetBytes($"commit: {tree.Commit}\n");
                var yaml = SharedPieces.Join([stamp, c.Yaml]);
                return new RenderedConfig(c.Device, [stamp, c.Yaml], Convert.ToHexStringLower(SHA256.HashData(yaml)), c.InputKey);
            });
            return result with { Set = new RenderedSet(tree.Commit, result.Set.Cluster, stamped, result.Set.Rejected.Values) };
        }
    }
}
