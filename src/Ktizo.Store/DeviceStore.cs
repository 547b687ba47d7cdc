using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>
/// The device registry: one SQLite file (WAL) holding what the gatekeeper has seen.
/// <para>
/// Two write paths with different promises. A MAC never seen before is inserted and committed
/// (synchronous=FULL) before <see cref="RecordAsync"/> returns, so a machine that was answered is
/// never forgotten, even if the process is killed the next instant. Every later request from a known
/// MAC only updates counters in memory (<see cref="TryTouch"/>: no lock, no disk, no allocation in the
/// common case); <see cref="FlushAsync"/> writes the accumulated changes in one transaction. A crash
/// loses at most the counters since the last flush, never a device.
/// </para>
/// </summary>
public sealed partial class DeviceStore : IDisposable
{
    // The file's only connection: first sightings, flushes, reads, meta and the issue outbox all go through it.
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<MacAddress, Activity> _activity = new();
    private volatile bool _disposed;

    // First sightings not yet in _activity: queued for the next group commit or being committed.
    private readonly Lock _sightingsLock = new();
    private readonly Dictionary<MacAddress, Sighting> _unpublished = [];

    private DeviceStore(SqliteConnection connection, TimeProvider time)
    {
        _writer = new StoreWriter(connection);
        _time = time;
    }

    /// <summary>The file this store lives in.</summary>
    public string Path => _writer.Path;

    /// <summary>The connection and group commit that <see cref="SqliteIssueOutbox"/> shares.</summary>
    internal StoreWriter Writer => _writer;

    /// <summary>
    /// Runs inside a first sighting's transaction, after its row went in (<see cref="NotificationOutbox.OnFirstSighting"/>):
    /// what it writes is exactly as durable as the sighting.
    /// </summary>
    internal Action<WriteBatch, MacAddress, ObservationKind, long>? FirstSightingHook { get; set; }

    /// <summary>How many devices the store knows.</summary>
    public int Count => _activity.Count;

    /// <summary>Every MAC the store knows, in no particular order.</summary>
    public ICollection<MacAddress> KnownMacs => _activity.Keys;

    /// <summary>Opens (creating when missing) the store at <paramref name="path"/> and brings its schema up to date.</summary>
    /// <param name="historyEntries">Rows of served history and of render changes kept per machine (<see cref="HistoryEntries"/>).</param>
    public static DeviceStore Open(string path, TimeProvider? time = null, int historyEntries = DefaultHistoryEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyEntries, 1);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooling would keep the file open after Dispose; the store owns one connection for its life.
            Pooling = false,
        }.ToString();

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");
            // FULL: a commit is on disk (WAL fsynced) before it returns; first sightings rely on it.
            Execute(connection, "PRAGMA synchronous = FULL;");
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            StoreSchema.Apply(connection);

            var store = new DeviceStore(connection, time ?? TimeProvider.System) { HistoryEntries = historyEntries };
            store.LoadKnown(connection);
            store.LoadHistory(connection);
            return store;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new KtizoException($"Cannot open the device store '{path}': {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The hot path: records a request from a MAC the store already knows, in memory only.
    /// Returns false when the MAC is new; then call <see cref="RecordAsync"/>, which makes it durable.
    /// </summary>
    public bool TryTouch(MacAddress mac, ObservationKind kind, IPAddress? address, string? userAgent, ReadOnlySpan<char> uuid)
    {
        if (!_activity.TryGetValue(mac, out var activity))
        {
            return false;
        }

        activity.Touch(kind, _time.GetUtcNow().ToUnixTimeMilliseconds(), address, userAgent, uuid);
        return true;
    }

    /// <summary>
    /// Records a request. For a MAC seen for the first time the row is committed to disk before this
    /// returns; for a known MAC it is the same as <see cref="TryTouch"/>.
    /// </summary>
    /// <remarks>
    /// First sightings are group-committed (<see cref="StoreWriter"/>): one transaction (one fsync) holds
    /// every write queued while the previous commit was on its way to disk, the outbox's included, so 64
    /// machines at once cost a few fsyncs, not 64 in a row. Each caller still waits for the commit holding
    /// its own row, and the commit runs on a pool thread, never on the caller's (a Kestrel I/O thread).
    /// </remarks>
    /// <returns>True when this was the first sighting.</returns>
    public async Task<bool> RecordAsync(
        MacAddress mac, ObservationKind kind, IPAddress? address, string? userAgent, string? uuid, CancellationToken cancellationToken = default)
    {
        if (TryTouch(mac, kind, address, userAgent, uuid))
        {
            return false;
        }

        Sighting? pending;
        Sighting? mine = null;
        lock (_sightingsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_unpublished.TryGetValue(mac, out pending) && !_activity.ContainsKey(mac))
            {
                mine = new Sighting(this, mac, kind, _time.GetUtcNow().ToUnixTimeMilliseconds(), address, userAgent, uuid);
                _unpublished[mac] = mine;
            }
        }

        if (mine is not null)
        {
            try
            {
                _writer.Enqueue(mine);
            }
            catch (Exception ex)
            {
                mine.Complete(ex);
                throw;
            }

            // Once queued the row is written whatever happens to this caller; only the wait may end early.
            await mine.Durable.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        // Another request for the same new MAC is being committed: count this one once that row is durable.
        if (pending is not null)
        {
            await pending.Durable.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        TryTouch(mac, kind, address, userAgent, uuid);
        return false;
    }

    /// <summary>Writes the counters accumulated in memory in one transaction. Returns how many devices changed.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _writer.ExclusiveAsync(FlushLocked, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>One device as it is now (pending counters included), or null when never seen.</summary>
    public async Task<DeviceRecord?> GetAsync(MacAddress mac, CancellationToken cancellationToken = default)
    {
        if (!_activity.ContainsKey(mac))
        {
            return null;
        }

        var records = await QueryAsync("WHERE mac = $mac", [("$mac", mac.ToString())], cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

    /// <summary>Every device, sorted by MAC, pending counters included. Unbounded: for tools and tests; serving reads pages (<see cref="PageAsync"/>).</summary>
    public Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("ORDER BY mac", [], cancellationToken);

    /// <summary>A small fact kept across restarts (the last commit that rendered cleanly, for instance).</summary>
    public string? GetMeta(string key) => _writer.Exclusive(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    });

    public void SetMeta(string key, string value) => _writer.Exclusive(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        return command.ExecuteNonQuery();
    });

    /// <summary>Flushes what is pending, then closes the file.</summary>
    public void Dispose()
    {
        lock (_sightingsLock)
        {
            _disposed = true;
        }

        try
        {
            // Served answers are queued, not awaited, when they are recorded: write them before the file closes.
            WhenWrittenAsync().Wait(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is AggregateException or ObjectDisposedException)
        {
            // Already closed, or the write failed: the machines' next downloads record them again.
        }

        _writer.Dispose(connection => FlushLocked(connection));
    }

    /// <summary>Rows of <c>devices</c> after <paramref name="whereAndOrder"/> (a WHERE, ORDER BY and LIMIT with named parameters).</summary>
    private async Task<IReadOnlyList<DeviceRecord>> QueryAsync(
        string whereAndOrder, IReadOnlyList<(string Name, object Value)> parameters, CancellationToken cancellationToken)
    {
        return await _writer.ExclusiveAsync(connection =>
        {
            // Reads are rare (the admin API): writing the counters first keeps one source of truth.
            FlushLocked(connection);
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT mac, first_seen, last_seen, request_count, last_address, last_user_agent, uuid,
                       registered, last_download, download_count
                FROM devices {whereAndOrder};
                """;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            var records = new List<DeviceRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                records.Add(new DeviceRecord(
                    MacAddress.Parse(reader.GetString(0)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetInt64(7) != 0,
                    reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                    reader.GetInt64(9)));
            }

            return (IReadOnlyList<DeviceRecord>)records;
        }, cancellationToken).ConfigureAwait(false);
    }

    private int FlushLocked(SqliteConnection connection)
    {
        var batch = new List<(MacAddress Mac, Activity Activity, Activity.Delta Delta)>();
        foreach (var (mac, activity) in _activity)
        {
            if (activity.TryTake(out var delta))
            {
                batch.Add((mac, activity, delta));
            }
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE devices SET
                    last_seen       = MAX(last_seen, $last_seen),
                    request_count   = request_count + $requests,
                    last_address    = COALESCE($address, last_address),
                    last_user_agent = COALESCE($user_agent, last_user_agent),
                    uuid            = COALESCE($uuid, uuid),
                    registered      = MAX(registered, $registered),
                    last_download   = CASE WHEN $last_download IS NULL THEN last_download
                                           ELSE MAX(COALESCE(last_download, 0), $last_download) END,
                    download_count  = download_count + $downloads
                WHERE mac = $mac;
                """;
            var pMac = command.Parameters.Add("$mac", SqliteType.Text);
            var pLastSeen = command.Parameters.Add("$last_seen", SqliteType.Integer);
            var pRequests = command.Parameters.Add("$requests", SqliteType.Integer);
            var pAddress = command.Parameters.Add("$address", SqliteType.Text);
            var pUserAgent = command.Parameters.Add("$user_agent", SqliteType.Text);
            var pUuid = command.Parameters.Add("$uuid", SqliteType.Text);
            var pRegistered = command.Parameters.Add("$registered", SqliteType.Integer);
            var pLastDownload = command.Parameters.Add("$last_download", SqliteType.Integer);
            var pDownloads = command.Parameters.Add("$downloads", SqliteType.Integer);
            command.Prepare();
            foreach (var (mac, _, delta) in batch)
            {
                pMac.Value = mac.ToString();
                pLastSeen.Value = delta.LastSeen;
                pRequests.Value = delta.Requests;
                pAddress.Value = (object?)delta.Address ?? DBNull.Value;
                pUserAgent.Value = (object?)delta.UserAgent ?? DBNull.Value;
                pUuid.Value = (object?)delta.Uuid ?? DBNull.Value;
                pRegistered.Value = delta.Registered ? 1 : 0;
                pLastDownload.Value = delta.LastDownload == 0 ? DBNull.Value : delta.LastDownload;
                pDownloads.Value = delta.Downloads;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch
        {
            // Nothing was written: give the counters back so the next flush tries again.
            foreach (var (_, activity, delta) in batch)
            {
                activity.Restore(delta);
            }

            throw;
        }

        return batch.Count;
    }

    private void LoadKnown(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT mac FROM devices;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // A row that does not parse was not written by this code; leave it alone rather than fail to start.
            if (MacAddress.TryParse(reader.GetString(0), out var mac))
            {
                _activity[mac] = new Activity();
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Changes to one device since the last flush. Written by request threads without a lock:
    /// counters through <see cref="Interlocked"/>, the latest values as plain reference writes
    /// (a flush that races a request writes one request's values or the next one's, both true).
    /// </summary>
    private sealed class Activity
    {
        private long _requests;
        private long _downloads;
        private long _lastSeen;
        private long _lastDownload;
        private int _registered;
        private int _dirty;

        public volatile IPAddress? Address;

        /// <summary>Touched since the last flush: a request came in that the file does not know of yet.</summary>
        public bool IsDirty => Volatile.Read(ref _dirty) != 0;
        public volatile string? UserAgent;
        public volatile string? Uuid;

        public void Touch(ObservationKind kind, long now, IPAddress? address, string? userAgent, ReadOnlySpan<char> uuid)
        {
            Interlocked.Increment(ref _requests);
            if (kind == ObservationKind.Download)
            {
                Interlocked.Increment(ref _downloads);
                Volatile.Write(ref _lastDownload, now);
            }
            else if (kind == ObservationKind.Register)
            {
                Volatile.Write(ref _registered, 1);
            }

            Volatile.Write(ref _lastSeen, now);
            if (address is not null && !ReferenceEquals(address, Address))
            {
                Address = address;
            }

            if (userAgent is not null && !string.Equals(userAgent, UserAgent, StringComparison.Ordinal))
            {
                UserAgent = userAgent;
            }

            // Allocate only when a machine reports a different uuid than last time.
            if (!uuid.IsEmpty && !uuid.SequenceEqual(Uuid.AsSpan()))
            {
                Uuid = uuid.ToString();
            }

            Volatile.Write(ref _dirty, 1);
        }

        public bool TryTake(out Delta delta)
        {
            if (Interlocked.Exchange(ref _dirty, 0) == 0)
            {
                delta = default;
                return false;
            }

            delta = new Delta(
                Interlocked.Exchange(ref _requests, 0),
                Interlocked.Exchange(ref _downloads, 0),
                Volatile.Read(ref _lastSeen),
                Volatile.Read(ref _lastDownload),
                Volatile.Read(ref _registered) != 0,
                Address?.ToString(),
                UserAgent,
                Uuid);
            return true;
        }

        public void Restore(Delta delta)
        {
            Interlocked.Add(ref _requests, delta.Requests);
            Interlocked.Add(ref _downloads, delta.Downloads);
            Volatile.Write(ref _dirty, 1);
        }

        public readonly record struct Delta(
            long Requests, long Downloads, long LastSeen, long LastDownload, bool Registered, string? Address, string? UserAgent, string? Uuid);
    }

    // A first sighting in the group commit: inserted in the group's transaction, published once durable.
    private sealed class Sighting(DeviceStore store, MacAddress mac, ObservationKind kind, long time, IPAddress? address, string? userAgent, string? uuid)
        : PendingWrite
    {
        // DO NOTHING: the row can only exist already if memory and file disagree, and then the file wins.
        private const string InsertSql = """
            INSERT INTO devices (mac, first_seen, last_seen, request_count, last_address, last_user_agent, uuid,
                                 registered, last_download, download_count)
            VALUES ($mac, $now, $now, 1, $address, $user_agent, $uuid, $registered, $last_download, $downloads)
            ON CONFLICT (mac) DO NOTHING;
            """;

        private readonly string? _uuid = string.IsNullOrEmpty(uuid) ? null : uuid;

        // Continuations run on the pool, not on the committing thread, so the next batch starts at once.
        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Apply(WriteBatch batch)
        {
            var command = batch.Command(InsertSql, "$mac", "$now", "$address", "$user_agent", "$uuid", "$registered", "$last_download", "$downloads");
            var p = command.Parameters;
            p[0].Value = mac.ToString();
            p[1].Value = time;
            p[2].Value = (object?)address?.ToString() ?? DBNull.Value;
            p[3].Value = (object?)userAgent ?? DBNull.Value;
            p[4].Value = (object?)_uuid ?? DBNull.Value;
            p[5].Value = kind == ObservationKind.Register ? 1 : 0;
            p[6].Value = kind == ObservationKind.Download ? time : DBNull.Value;
            p[7].Value = kind == ObservationKind.Download ? 1 : 0;
            if (command.ExecuteNonQuery() == 1)
            {
                store.FirstSightingHook?.Invoke(batch, mac, kind, time);
            }
        }

        public override void Complete(Exception? failure)
        {
            lock (store._sightingsLock)
            {
                // Published only after the commit: a request for the same MAC either finds the pending
                // sighting and waits for it, or finds it here, and in both cases the row is durable.
                // After a failure it is neither, so the next request tries again.
                if (failure is null)
                {
                    store._activity[mac] = new Activity { Address = address, UserAgent = userAgent, Uuid = _uuid };
                }

                store._unpublished.Remove(mac);
            }

            if (failure is null)
            {
                Durable.TrySetResult();
            }
            else
            {
                Durable.TrySetException(failure);
            }
        }
    }
}
