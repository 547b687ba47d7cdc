using System.Collections.Concurrent;
using Ktizo.Core;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>One event for one receiver, with the exact body to send.</summary>
/// <param name="Receiver">The receiver's key (a hash of its URL: the file never holds a URL that may carry a token).</param>
public sealed record OutgoingNotification(string Receiver, string EventId, string Type, byte[] Body);

/// <summary>A queued notification: <see cref="Sequence"/> orders a receiver's queue.</summary>
public sealed record QueuedNotification(long Sequence, string Receiver, string EventId, string Type, byte[] Body, int Attempts);

/// <summary>First sightings folded out of one minute (<see cref="Minute"/> is its start), with the first MACs.</summary>
public sealed record FoldedSightings(DateTimeOffset Minute, string Type, int Count, IReadOnlyList<MacAddress> Sample);

/// <summary>What a first sighting adds to the outbox, decided inside the sighting's own transaction.</summary>
public sealed record SightingNotice(IReadOnlyList<OutgoingNotification> Items, DateTimeOffset? FoldMinute, string? FoldType, bool Deferred = false)
{
    public static SightingNotice Send(IReadOnlyList<OutgoingNotification> items) => new(items, null, null);

    /// <summary>Remembers the sighting until a commit is served, which says whether it is pending (<see cref="NotificationOutbox.ResolveDeferredAsync"/>).</summary>
    public static SightingNotice Defer() => new([], null, null, Deferred: true);

    /// <summary>Counts the sighting into <paramref name="minute"/>'s summary of <paramref name="type"/> instead.</summary>
    public static SightingNotice Fold(DateTimeOffset minute, string type) => new([], minute, type);
}

/// <summary>
/// The durable outbox of outgoing webhooks (tables <c>notification_outbox</c> and <c>notification_folds</c>, <see cref="NotificationSchema"/>).
/// <para>
/// Every write joins the device store's group commit (<see cref="StoreWriter"/>) and returns once on disk. A first
/// sighting's notice is written in the same transaction as the sighting itself (<see cref="OnFirstSighting"/>), so a
/// machine that was answered cannot be missing from it. Each receiver's queue is capped: past
/// <see cref="MaxPerReceiver"/> rows the oldest are deleted and counted (<see cref="Dropped"/>), so nobody who can
/// make events happen can fill the disk while a receiver is down.
/// </para>
/// </summary>
public sealed class NotificationOutbox
{
    private const int SampleSize = 20;

    private const string InsertSql = """
        INSERT INTO notification_outbox (receiver, event_id, type, body, created) VALUES ($receiver, $id, $type, $body, $created)
        ON CONFLICT (receiver, event_id) DO NOTHING;
        """;

    private const string CapSql = """
        DELETE FROM notification_outbox WHERE seq IN (
            SELECT seq FROM notification_outbox WHERE receiver = $receiver ORDER BY seq
            LIMIT MAX(0, (SELECT COUNT(*) FROM notification_outbox WHERE receiver = $receiver) - $cap));
        """;

    private const string FoldSql = """
        INSERT INTO notification_folds (minute, type, count, sample) VALUES ($minute, $type, 1, $mac)
        ON CONFLICT (minute, type) DO UPDATE SET
            count = count + 1,
            sample = CASE WHEN count < $sample THEN sample || ' ' || excluded.sample ELSE sample END;
        """;

    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);

    private NotificationOutbox(StoreWriter writer, TimeProvider time, int maxPerReceiver)
    {
        _writer = writer;
        _time = time;
        MaxPerReceiver = maxPerReceiver;
    }

    /// <summary>Rows a receiver's queue may hold; older ones are dropped beyond it.</summary>
    public int MaxPerReceiver { get; }

    /// <summary>Opens the outbox of <paramref name="store"/>, which must outlive it.</summary>
    public static NotificationOutbox Open(DeviceStore store, int maxPerReceiver, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerReceiver, 1);
        return new NotificationOutbox(store.Writer, time ?? TimeProvider.System, maxPerReceiver);
    }

    /// <summary>Rows dropped from <paramref name="receiver"/>'s queue for the cap since this outbox was opened.</summary>
    public long Dropped(string receiver) => _dropped.TryGetValue(receiver, out var n) ? n : 0;

    /// <summary>
    /// From now on, every first sighting of <paramref name="store"/> asks <paramref name="decide"/> (on the committing
    /// thread, inside the sighting's transaction: keep it quick) what to add; null adds nothing.
    /// </summary>
    public void OnFirstSighting(DeviceStore store, Func<MacAddress, ObservationKind, DateTimeOffset, SightingNotice?> decide) =>
        store.FirstSightingHook = (batch, mac, kind, time) =>
        {
            if (decide(mac, kind, DateTimeOffset.FromUnixTimeMilliseconds(time)) is not { } notice)
            {
                return;
            }

            // In a savepoint: a fault of the notice's own must not cost the sightings sharing the transaction.
            batch.Transaction.Save("notice");
            try
            {
                if (notice.Deferred)
                {
                    var defer = batch.Command("INSERT OR IGNORE INTO notification_deferred (mac, first_seen) VALUES ($mac, $time);", "$mac", "$time");
                    defer.Parameters[0].Value = mac.ToString();
                    defer.Parameters[1].Value = time;
                    defer.ExecuteNonQuery();
                }

                if (notice.FoldMinute is { } minute)
                {
                    var fold = batch.Command(FoldSql, "$minute", "$type", "$mac", "$sample");
                    fold.Parameters[0].Value = minute.ToUnixTimeMilliseconds();
                    fold.Parameters[1].Value = notice.FoldType!;
                    fold.Parameters[2].Value = mac.ToString();
                    fold.Parameters[3].Value = SampleSize;
                    fold.ExecuteNonQuery();
                }

                Insert(batch, notice.Items, time);
                batch.Transaction.Release("notice");
            }
            catch (Exception ex) when (ex is not SqliteException { SqliteErrorCode: 10 or 13 })
            {
                batch.Transaction.Rollback("notice");
                batch.Transaction.Release("notice");
            }
        };

    /// <summary>Queues <paramref name="items"/> (an event already queued for a receiver, by id, is not queued twice); returns once on disk.</summary>
    public Task EnqueueAsync(IReadOnlyList<OutgoingNotification> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _writer.WriteAsync(batch => Insert(batch, items, now), cancellationToken);
    }

    /// <summary>The first <paramref name="limit"/> rows of <paramref name="receiver"/>'s queue, oldest first.</summary>
    public Task<IReadOnlyList<QueuedNotification>> HeadAsync(string receiver, int limit, CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync<IReadOnlyList<QueuedNotification>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, event_id, type, body, attempts FROM notification_outbox WHERE receiver = $receiver ORDER BY seq LIMIT $limit;";
            command.Parameters.AddWithValue("$receiver", receiver);
            command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
            var list = new List<QueuedNotification>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new QueuedNotification(reader.GetInt64(0), receiver, reader.GetString(1), reader.GetString(2), (byte[])reader.GetValue(3), reader.GetInt32(4)));
            }

            return list;
        }, cancellationToken);

    /// <summary>The receiver took it: gone from the queue.</summary>
    public Task DeliveredAsync(long sequence, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch => batch.Execute("DELETE FROM notification_outbox WHERE seq = $seq;", "$seq", sequence), cancellationToken);

    /// <summary>One more failed attempt on the row (it stays at the head of its queue).</summary>
    public Task AttemptFailedAsync(long sequence, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch => batch.Execute("UPDATE notification_outbox SET attempts = attempts + 1 WHERE seq = $seq;", "$seq", sequence), cancellationToken);

    /// <summary>Rows queued per receiver (receivers with none are absent).</summary>
    public Task<IReadOnlyDictionary<string, long>> DepthAsync(CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync<IReadOnlyDictionary<string, long>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT receiver, COUNT(*) FROM notification_outbox GROUP BY receiver;";
            var depth = new Dictionary<string, long>(StringComparer.Ordinal);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                depth[reader.GetString(0)] = reader.GetInt64(1);
            }

            return depth;
        }, cancellationToken);

    /// <summary>Deletes the queues of receivers no longer configured; returns how many rows went.</summary>
    public Task<int> ForgetReceiversAsync(IReadOnlyCollection<string> keep, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var receivers = new List<string>();
            using (var select = batch.Connection.CreateCommand())
            {
                select.Transaction = batch.Transaction;
                select.CommandText = "SELECT DISTINCT receiver FROM notification_outbox;";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    receivers.Add(reader.GetString(0));
                }
            }

            var deleted = 0;
            var delete = batch.Command("DELETE FROM notification_outbox WHERE receiver = $receiver;", "$receiver");
            foreach (var receiver in receivers.Where(r => !keep.Contains(r)))
            {
                delete.Parameters[0].Value = receiver;
                deleted += delete.ExecuteNonQuery();
            }

            return deleted;
        }, cancellationToken);

    /// <summary>
    /// Turns every fold of a minute that started before <paramref name="before"/> into the rows <paramref name="expand"/>
    /// makes of it, in one transaction (the fold is gone exactly when its summary is queued). Returns the folds expanded.
    /// </summary>
    public Task<int> ExpandFoldsAsync(
        DateTimeOffset before, Func<FoldedSightings, IReadOnlyList<OutgoingNotification>> expand, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var folds = new List<FoldedSightings>();
            using (var select = batch.Connection.CreateCommand())
            {
                select.Transaction = batch.Transaction;
                select.CommandText = "SELECT minute, type, count, sample FROM notification_folds WHERE minute < $before ORDER BY minute, type;";
                select.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var sample = reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(text => MacAddress.TryParse(text, out var mac) ? mac : (MacAddress?)null)
                        .OfType<MacAddress>().ToList();
                    folds.Add(new FoldedSightings(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetInt32(2), sample));
                }
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var delete = batch.Command("DELETE FROM notification_folds WHERE minute = $minute AND type = $type;", "$minute", "$type");
            foreach (var fold in folds)
            {
                Insert(batch, expand(fold), now);
                delete.Parameters[0].Value = fold.Minute.ToUnixTimeMilliseconds();
                delete.Parameters[1].Value = fold.Type;
                delete.ExecuteNonQuery();
            }

            return folds.Count;
        }, cancellationToken);

    /// <summary>
    /// Decides the deferred first sightings (<see cref="SightingNotice.Defer"/>), oldest first: <paramref name="decide"/>
    /// turns them into rows, queued and the deferrals deleted in one transaction. Returns how many were deferred.
    /// </summary>
    public Task<int> ResolveDeferredAsync(
        Func<IReadOnlyList<(MacAddress Mac, DateTimeOffset FirstSeen)>, IReadOnlyList<OutgoingNotification>> decide, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var deferred = new List<(MacAddress, DateTimeOffset)>();
            using (var select = batch.Connection.CreateCommand())
            {
                select.Transaction = batch.Transaction;
                select.CommandText = "SELECT mac, first_seen FROM notification_deferred ORDER BY first_seen, mac;";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    if (MacAddress.TryParse(reader.GetString(0), out var mac))
                    {
                        deferred.Add((mac, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
                    }
                }
            }

            if (deferred.Count == 0)
            {
                return 0;
            }

            Insert(batch, decide(deferred), _time.GetUtcNow().ToUnixTimeMilliseconds());
            batch.Command("DELETE FROM notification_deferred;").ExecuteNonQuery();
            return deferred.Count;
        }, cancellationToken);

    private int Insert(WriteBatch batch, IReadOnlyList<OutgoingNotification> items, long created)
    {
        var insert = batch.Command(InsertSql, "$receiver", "$id", "$type", "$body", "$created");
        var inserted = 0;
        foreach (var item in items)
        {
            insert.Parameters[0].Value = item.Receiver;
            insert.Parameters[1].Value = item.EventId;
            insert.Parameters[2].Value = item.Type;
            insert.Parameters[3].Value = item.Body;
            insert.Parameters[4].Value = created;
            inserted += insert.ExecuteNonQuery();
        }

        // Once per receiver per write, after its rows: the oldest beyond the cap go.
        var cap = batch.Command(CapSql, "$receiver", "$cap");
        foreach (var receiver in items.Select(i => i.Receiver).Distinct(StringComparer.Ordinal))
        {
            cap.Parameters[0].Value = receiver;
            cap.Parameters[1].Value = MaxPerReceiver;
            var dropped = cap.ExecuteNonQuery();
            if (dropped > 0)
            {
                _dropped.AddOrUpdate(receiver, dropped, (_, n) => n + dropped);
            }
        }

        return inserted;
    }

}
