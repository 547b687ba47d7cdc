using System.Text;
using Ktizo.Core;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>The notification outbox on a real SQLite file: order per receiver, the cap, folds, sightings' notices, restarts.</summary>
public sealed class NotificationOutboxTests : IDisposable
{
    private static readonly MacAddress MacA = MacAddress.Parse("52:54:00:00:01:0a");
    private static readonly MacAddress MacB = MacAddress.Parse("52:54:00:00:01:0b");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private DeviceStore _store;
    private NotificationOutbox _outbox;

    public NotificationOutboxTests()
    {
        _store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        _outbox = NotificationOutbox.Open(_store, 5, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Head_AfterEnqueueForTwoReceivers_IsEachReceiversRowsInOrder_AndDeliveredRowsLeave()
    {
        await _outbox.EnqueueAsync([Row("r1", "e1"), Row("r2", "e1"), Row("r1", "e2")], default);
        await _outbox.EnqueueAsync([Row("r1", "e3")], default);

        var head = await _outbox.HeadAsync("r1", 10, default);
        Assert.Equal(["e1", "e2", "e3"], head.Select(h => h.EventId));
        Assert.Equal("body e1", Encoding.UTF8.GetString(head[0].Body));
        Assert.Single(await _outbox.HeadAsync("r2", 10, default));

        await _outbox.AttemptFailedAsync(head[0].Sequence, default);
        await _outbox.DeliveredAsync(head[1].Sequence, default);
        var after = await _outbox.HeadAsync("r1", 10, default);
        Assert.Equal(["e1", "e3"], after.Select(h => h.EventId));
        Assert.Equal(1, after[0].Attempts);
    }

    [Fact]
    public async Task Enqueue_TheSameEventIdTwiceForAReceiver_QueuesItOnce()
    {
        await _outbox.EnqueueAsync([Row("r1", "same")], default);
        await _outbox.EnqueueAsync([Row("r1", "same")], default);

        Assert.Single(await _outbox.HeadAsync("r1", 10, default));
    }

    [Fact]
    public async Task Enqueue_BeyondTheCap_DropsTheOldestAndCountsThem()
    {
        for (var i = 0; i < 8; i++)
        {
            await _outbox.EnqueueAsync([Row("r1", $"e{i}"), Row("r2", $"e{i}")], default);
        }

        Assert.Equal(["e3", "e4", "e5", "e6", "e7"], (await _outbox.HeadAsync("r1", 10, default)).Select(h => h.EventId));
        Assert.Equal(3, _outbox.Dropped("r1"));
        Assert.Equal(5, (await _outbox.DepthAsync(default))["r2"]);
    }

    [Fact]
    public async Task FirstSighting_WithANotice_IsQueuedInTheSameCommit_AndARepeatAddsNothing()
    {
        var asked = 0;
        _outbox.OnFirstSighting(_store, (mac, kind, time) =>
        {
            asked++;
            return SightingNotice.Send([new OutgoingNotification("r1", $"seen-{mac}", "device.pending", Encoding.UTF8.GetBytes(mac.ToString()))]);
        });

        Assert.True(await _store.RecordAsync(MacA, ObservationKind.Request, null, null, null));
        Assert.False(await _store.RecordAsync(MacA, ObservationKind.Request, null, null, null));

        Assert.Equal(1, asked);
        Assert.Equal([$"seen-{MacA}"], (await _outbox.HeadAsync("r1", 10, default)).Select(h => h.EventId));
    }

    [Fact]
    public async Task Folds_AreKeptUntilTheirMinuteIsOver_ThenExpandedOnceWithCountAndSample()
    {
        var minute = _time.GetUtcNow();
        _outbox.OnFirstSighting(_store, (_, _, _) => SightingNotice.Fold(minute, "device.pending.summary"));
        await _store.RecordAsync(MacA, ObservationKind.Request, null, null, null);
        await _store.RecordAsync(MacB, ObservationKind.Request, null, null, null);

        FoldedSightings? seen = null;
        Assert.Equal(0, await _outbox.ExpandFoldsAsync(minute, f => [], default));
        Assert.Equal(1, await _outbox.ExpandFoldsAsync(minute.AddMinutes(1), f =>
        {
            seen = f;
            return [new OutgoingNotification("r1", "summary", f.Type, [1])];
        }, default));
        Assert.Equal(0, await _outbox.ExpandFoldsAsync(minute.AddMinutes(1), f => [], default));

        Assert.Equal(2, seen!.Count);
        Assert.Equal([MacA, MacB], seen.Sample);
        Assert.Equal(["summary"], (await _outbox.HeadAsync("r1", 10, default)).Select(h => h.EventId));
    }

    [Fact]
    public async Task Queue_AfterReopeningTheFile_IsStillThere_AndForgottenReceiversGo()
    {
        await _outbox.EnqueueAsync([Row("r1", "e1"), Row("gone", "e1")], default);
        _store.Dispose();
        _store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        _outbox = NotificationOutbox.Open(_store, 5, _time);

        Assert.Equal(1, await _outbox.ForgetReceiversAsync(["r1"], default));
        Assert.Equal(["e1"], (await _outbox.HeadAsync("r1", 10, default)).Select(h => h.EventId));
        Assert.Empty(await _outbox.HeadAsync("gone", 10, default));
    }

    private static OutgoingNotification Row(string receiver, string id) => new(receiver, id, "device.approved", Encoding.UTF8.GetBytes($"body {id}"));
}
