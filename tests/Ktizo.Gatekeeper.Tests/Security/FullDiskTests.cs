using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Security;

/// <summary>
/// Issue 15, finding 7: with the data folder full, first sightings got 503 but nothing else showed it. The store is
/// made full for real: SQLite's <c>max_page_count</c> on the store's own connection, so every write that needs new
/// space fails with SQLITE_FULL ("database or disk is full"), which is what a full disk returns.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FirstSightings_WhenTheStoreIsFull_Are503_CountedShownInReadinessAndLoggedOncePerEpisode()
    {
        var logged = new ConcurrentQueue<string>();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [], log: logged);
        var store = gatekeeper.Host.Get<DeviceStore>();
        using var anonymous = new HttpClient { BaseAddress = gatekeeper.Client.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);

        await SetMaxPageCountAsync(store, 1); // clamped to the file's current size: it may not grow

        var unavailable = 0;
        for (var i = 0; i < 300 && unavailable < 20; i++)
        {
            using var response = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac=02:00:00:00:{i >> 8:x2}:{i & 0xff:x2}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                unavailable++;
                Assert.NotNull(response.Headers.RetryAfter);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }

        Assert.Equal(20, unavailable);

        // Counted: the answers and the failed writes.
        var metrics = await gatekeeper.Client.GetStringAsync("/metrics");
        Assert.Contains("ktizo_config_requests_total{result=\"unavailable\"} 20", metrics, StringComparison.Ordinal);
        Assert.Matches(@"ktizo_store_failures_total (2\d|[3-9]\d)\b", metrics);
        Assert.Contains("ktizo_store_failing 1", metrics, StringComparison.Ordinal);

        // Readiness: 503 for everyone, the why for signed-in callers only.
        using (var status = await anonymous.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
            var body = await status.Content.ReadAsStringAsync();
            Assert.Equal("{\"ready\":false,\"status\":\"store_failing\"}", body);
        }

        using (var detail = await gatekeeper.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, detail.StatusCode);
            var store503 = JsonDocument.Parse(await detail.Content.ReadAsStringAsync()).RootElement.GetProperty("store");
            Assert.False(store503.GetProperty("writable").GetBoolean());
            Assert.Contains("full", store503.GetProperty("last_error").GetString(), StringComparison.Ordinal);
            Assert.True(store503.GetProperty("failures").GetInt64() >= 20);
        }

        // Logged once for the episode, not once per request.
        Assert.Single(logged, l => l.Contains("cannot record new machines", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, l => l.Contains("Could not record", StringComparison.Ordinal));

        // Space comes back; no machine asks: the probe notices, readiness recovers, logged once.
        await SetMaxPageCountAsync(store, 1_073_741_823);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await anonymous.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "readiness did not recover within 30 s of the space coming back");
            await Task.Delay(100);
        }

        Assert.Single(logged, l => l.Contains("records new machines again", StringComparison.Ordinal));
        Assert.Contains("ktizo_store_failing 0", await gatekeeper.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        using var after = await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=02:00:00:ff:ff:ff");
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    private static Task<int> SetMaxPageCountAsync(DeviceStore store, long pages) =>
        store.Writer.ExclusiveAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA max_page_count = {pages};";
                return command.ExecuteNonQuery();
            },
            CancellationToken.None);
}
