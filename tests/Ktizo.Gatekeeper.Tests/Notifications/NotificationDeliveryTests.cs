using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Notifications;
using Ktizo.Core.Files;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Notifications;

/// <summary>Outgoing webhooks from a real gatekeeper to a real receiver on 127.0.0.1, through the SQLite outbox.</summary>
public sealed class NotificationDeliveryTests(ITestOutputHelper output)
{
    private const string MacA = "52:54:00:aa:00:01"; // approved, deviceAuth: its download without a token is a refused claim
    private const string MacP = "52:54:00:aa:00:02"; // first seen pending, then approved
    private const string MacR = "52:54:00:aa:00:03"; // rejected without ever being seen

    private static readonly (string, string) FileA = ("inventory/devices/a.yaml", MiniRenderer.DeviceFile(MacA, "node-a", "10.0.5.11/24") + "deviceAuth: confirm\n");

    [Fact]
    public async Task EveryEventType_IsDelivered_Signed_WithItsIdInTheHeader_AndNoSecret()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, [FileA], services: NotificationHarness.Services(NotificationHarness.Fast(), null, NotificationHarness.Json(receiver.Url)));

        using (var pending = await gatekeeper.Host.GetConfigAsync($"mac={MacP}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        }

        await receiver.WaitAsync(d => d.Count == 1);
        using (var refused = await gatekeeper.Host.GetConfigAsync($"mac={MacA}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await receiver.WaitAsync(d => d.Count == 2);
        var decided = gatekeeper.Commit(
        [
            FileA,
            ("inventory/devices/p.yaml", MiniRenderer.DeviceFile(MacP, "node-p", "10.0.5.12/24")),
            ("inventory/devices/r.yaml", $"mac: {MacR}\nhostname: node-r\nstatus: rejected\n"),
        ]);
        await gatekeeper.Host.SyncAsync();
        await receiver.WaitAsync(d => d.Count == 4);
        var broken = gatekeeper.Commit([FileA, ("inventory/devices/b.yaml", "broken: yes\n")]);
        await gatekeeper.Host.SyncAsync();
        var deliveries = await receiver.WaitAsync(d => d.Count == 5);

        Assert.Equal(
            ["device.pending", "claim.refused", "device.approved", "device.rejected", "commit.failed"],
            deliveries.Select(d => d.Type));
        foreach (var delivery in deliveries)
        {
            Assert.True(NotificationSignature.Verify(Encoding.UTF8.GetBytes(NotificationHarness.Secret), delivery.Body, delivery.Signature), delivery.Signature);
            Assert.Equal(delivery.EventId, delivery.Json.GetProperty("id").GetString());
            Assert.Equal(delivery.Type, delivery.Json.GetProperty("type").GetString());
            Assert.StartsWith("application/json", delivery.ContentType, StringComparison.Ordinal);
            Assert.DoesNotContain(NotificationHarness.Secret, Encoding.UTF8.GetString(delivery.Body), StringComparison.Ordinal);
            Assert.DoesNotContain("in-the-url", Encoding.UTF8.GetString(delivery.Body), StringComparison.Ordinal);
        }

        Assert.Equal(MacP, deliveries[0].Json.GetProperty("mac").GetString());
        Assert.Equal(MacA, deliveries[1].Json.GetProperty("mac").GetString());
        Assert.Equal("node-a", deliveries[1].Json.GetProperty("hostname").GetString());
        Assert.Equal(("node-p", MacP, decided), (deliveries[2].Json.GetProperty("hostname").GetString(), deliveries[2].Json.GetProperty("mac").GetString(), deliveries[2].Json.GetProperty("commit").GetString()));
        Assert.Equal(("node-r", MacR), (deliveries[3].Json.GetProperty("hostname").GetString(), deliveries[3].Json.GetProperty("mac").GetString()));
        Assert.Equal(broken, deliveries[4].Json.GetProperty("commit").GetString());
        Assert.Contains("KTZ", deliveries[4].Json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(deliveries.Count, deliveries.Select(d => d.EventId).Distinct().Count());
    }

    [Fact]
    public async Task ReceiverRefusingThenFailing_GetsEverythingLater_InOrder_WithTheSameIdOnEveryAttempt()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync(listening: false);
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, [FileA], services: NotificationHarness.Services(NotificationHarness.Fast(), null, NotificationHarness.Json(receiver.Url)));
        var macs = Enumerable.Range(0, 6).Select(i => MacAddress.FromValue(0x5254_00bb_0000UL + (ulong)i).ToString()).ToList();
        foreach (var mac in macs)
        {
            using var answer = await gatekeeper.Host.GetConfigAsync($"mac={mac}");
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }

        // Refused connections first (nothing listens), then a receiver answering 500.
        await WaitForMetricAsync(gatekeeper, "ktizo_notifications_failed_attempts_total{receiver=\"0\"}", atLeast: 3);
        receiver.FailWith = 500;
        await receiver.StartAsync();
        while (receiver.Attempts.Count < 3)
        {
            await Task.Delay(20);
        }

        receiver.FailWith = null;
        var deliveries = await receiver.WaitAsync(d => d.Count == macs.Count);

        Assert.Equal(macs, deliveries.Select(d => d.Json.GetProperty("mac").GetString()));
        Assert.All(receiver.Attempts.Take(3), attempt => Assert.Equal(deliveries[0].EventId, attempt.EventId));
        Assert.All(receiver.Attempts.Take(3), attempt => Assert.Equal(deliveries[0].Body, attempt.Body));
        Assert.Equal(macs.Count, deliveries.Select(d => d.EventId).Distinct().Count());
        await WaitForMetricAsync(gatekeeper, "ktizo_notifications_delivered_total{receiver=\"0\"}", atLeast: macs.Count);
        await WaitForMetricAsync(gatekeeper, "ktizo_notifications_queued{receiver=\"0\"}", atLeast: 0, atMost: 0);
    }

    [Fact]
    public async Task ReceiverThatHangs_IsGivenUpOnAfterTheTimeout_AndTheSameEventIsSentAgain()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        receiver.Hang = 1;
        var delivery = NotificationHarness.Fast();
        delivery.Timeout = Core.Settings.Duration.FromMilliseconds(300);
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [FileA], services: NotificationHarness.Services(delivery, null, NotificationHarness.Json(receiver.Url)));

        using (await gatekeeper.Host.GetConfigAsync($"mac={MacP}"))
        {
        }

        var delivered = Assert.Single(await receiver.WaitAsync(d => d.Count == 1, TimeSpan.FromSeconds(2.5)));
        Assert.Equal(2, receiver.Attempts.Count);
        Assert.All(receiver.Attempts, attempt => Assert.Equal(delivered.EventId, attempt.EventId));
        await WaitForMetricAsync(gatekeeper, "ktizo_notifications_failed_attempts_total{receiver=\"0\"}", atLeast: 1, atMost: 1);
    }

    [Fact]
    public async Task SlackFormat_SendsOnlyText_Unsigned()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        var slack = new Gatekeeper.Notifications.NotificationReceiverOptions { Url = receiver.Url.ToString(), Format = "slack", Events = "device.pending" };
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [FileA], services: NotificationHarness.Services(NotificationHarness.Fast(), null, slack));

        using (await gatekeeper.Host.GetConfigAsync($"mac={MacP}"))
        {
        }

        var delivery = Assert.Single(await receiver.WaitAsync(d => d.Count == 1));
        var property = Assert.Single(delivery.Json.EnumerateObject());
        Assert.Equal("text", property.Name);
        Assert.Equal($"Ktizo: New machine {MacP} asked for a config; it is pending until a device file for it is merged.", property.Value.GetString());
        Assert.Equal(string.Empty, delivery.Signature);
        Assert.Equal("device.pending", delivery.Type);
    }

    [Fact]
    public async Task FirstSightingsBeforeAnyCommitIsServed_AreDecidedAtTheFirstCommit_OnlyThePendingAnnounced()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        var fileA = ("inventory/devices/a.yaml", MiniRenderer.DeviceFile(MacA, "node-a", "10.0.5.11/24"));
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, [fileA], services: NotificationHarness.Services(NotificationHarness.Fast(), null, NotificationHarness.Json(receiver.Url)), reachable: false);

        // Nothing served yet: the approved machine and the unknown one both boot before the first sync.
        foreach (var mac in new[] { MacA, MacP })
        {
            using var early = await gatekeeper.Host.GetConfigAsync($"mac={mac}");
            Assert.NotEqual(HttpStatusCode.OK, early.StatusCode);
        }

        await Task.Delay(300); // three poll intervals of the worker
        Assert.Empty(receiver.Delivered);

        gatekeeper.Source.Reachable = true;
        var first = gatekeeper.Commit([fileA]);
        await gatekeeper.Host.SyncAsync();
        await gatekeeper.Host.WaitForCommitAsync(first);
        var deliveries = await receiver.WaitAsync(d => d.Count >= 1);
        await Task.Delay(300);

        var only = Assert.Single(receiver.Delivered);
        Assert.Equal(("device.pending", MacP, first), (only.Type, only.Json.GetProperty("mac").GetString(), only.Json.GetProperty("commit").GetString()));
        Assert.Equal(deliveries[0].EventId, only.EventId);
    }

    [Fact]
    public async Task StormOfFirstSightings_AboveTheThreshold_FoldsTheRestOfTheMinuteIntoOneSummary()
    {
        await using var receiver = await WebhookReceiver.StartNewAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, [FileA], services: NotificationHarness.Services(NotificationHarness.Fast(foldThreshold: 3), clock, NotificationHarness.Json(receiver.Url)));
        var macs = Enumerable.Range(0, 10).Select(i => MacAddress.FromValue(0x5254_00cc_0000UL + (ulong)i).ToString()).ToList();
        foreach (var mac in macs)
        {
            using (await gatekeeper.Host.GetConfigAsync($"mac={mac}"))
            {
            }
        }

        await receiver.WaitAsync(d => d.Count == 3);
        await Task.Delay(300); // three poll intervals: the minute is not over, so no summary yet
        Assert.Equal(3, receiver.Delivered.Count);
        clock.Advance(TimeSpan.FromMinutes(1));
        var deliveries = await receiver.WaitAsync(d => d.Count == 4);

        Assert.Equal(macs.Take(3), deliveries.Take(3).Select(d => d.Json.GetProperty("mac").GetString()));
        var summary = deliveries[3].Json;
        Assert.Equal("device.pending.summary", summary.GetProperty("type").GetString());
        Assert.Equal(7, summary.GetProperty("count").GetInt32());
        Assert.Equal(macs.Skip(3), summary.GetProperty("macs").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("2026-01-02T03:04:00.000Z", summary.GetProperty("time").GetString());
        Assert.True(NotificationSignature.Verify(Encoding.UTF8.GetBytes(NotificationHarness.Secret), deliveries[3].Body, deliveries[3].Signature));
    }

    [Fact]
    public async Task Restart_WithEventsQueuedForADownReceiver_LosesNothing_AndKeepsTheIds()
    {
        using var data = new TempFolder("ktizo-notify");
        await using var receiver = await WebhookReceiver.StartNewAsync();
        receiver.FailWith = 503;
        var source = new FakeRepositorySource();
        var commit = source.Commit(new InMemoryFileTree($"{1:x40}").Add("inventory/cluster.yaml", MiniRenderer.ClusterFile).Add(FileA.Item1, FileA.Item2));
        var macs = Enumerable.Range(0, 4).Select(i => MacAddress.FromValue(0x5254_00dd_0000UL + (ulong)i).ToString()).ToList();

        await using (var first = await StartAsync(data, source, receiver))
        {
            await first.WaitForCommitAsync(commit);
            foreach (var mac in macs)
            {
                using (await first.GetConfigAsync($"mac={mac}"))
                {
                }
            }

            while (receiver.Attempts.Count < 2)
            {
                await Task.Delay(20);
            }
        }

        var attempted = receiver.Attempts.First().EventId;
        receiver.FailWith = null;
        await using var second = await StartAsync(data, source, receiver);
        var deliveries = await receiver.WaitAsync(d => d.Count == macs.Count);

        Assert.Equal(macs, deliveries.Select(d => d.Json.GetProperty("mac").GetString()));
        Assert.Equal(attempted, deliveries[0].EventId);
        Assert.All(deliveries, d => Assert.True(NotificationSignature.Verify(Encoding.UTF8.GetBytes(NotificationHarness.Secret), d.Body, d.Signature)));
    }

    private Task<GatekeeperHost> StartAsync(TempFolder data, FakeRepositorySource source, WebhookReceiver receiver) =>
        GatekeeperHost.StartAsync(output, data.Path, data.Sub("data"), null, services =>
        {
            services.AddSingleton<IRepositorySource>(source);
            services.AddSingleton<IConfigRenderer>(new MiniRenderer());
            NotificationHarness.Services(NotificationHarness.Fast(), null, NotificationHarness.Json(receiver.Url))(services);
        });

    private static async Task WaitForMetricAsync(FakeGatekeeper gatekeeper, string series, double atLeast, double atMost = double.MaxValue)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = "absent";
        while (DateTime.UtcNow < deadline)
        {
            var text = await gatekeeper.Client.GetStringAsync("/metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
            if (line is not null)
            {
                last = line;
                var value = double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                if (value >= atLeast && value <= atMost)
                {
                    return;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{series} did not reach [{atLeast}, {atMost}]: {last}");
    }
}
