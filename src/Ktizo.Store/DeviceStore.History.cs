using System.Collections.Concurrent;
using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>
/// What each machine was served, and which served commits changed what git renders for it (issue 20, docs/drift.md).
/// <para>
/// A download costs the hot path one dictionary read: the last bytes each machine got are kept in memory, and
/// only an answer with other bytes than that is queued for the next group commit (<see cref="StoreWriter"/>),
/// never waited for. A machine retrying with the same bytes adds no row. Each table keeps the newest
/// <see cref="HistoryEntries"/> rows per machine.
/// </para>
/// </summary>
public sealed partial class DeviceStore
{
    /// <summary>Rows kept per machine when the opener does not say.</summary>
    public const int DefaultHistoryEntries = 20;

    private readonly ConcurrentDictionary<MacAddress, ServedEntry> _lastServed = new();
    private readonly ConcurrentDictionary<MacAddress, string> _lastRendered = new();

    /// <summary>Rows of served history and of render changes kept per machine (at least 1).</summary>
    public int HistoryEntries { get; private init; } = DefaultHistoryEntries;

    /// <summary>The last bytes <paramref name="mac"/> was served (as remembered since the store opened, the file's included), or null.</summary>
    public ServedEntry? LastServed(MacAddress mac) => _lastServed.GetValueOrDefault(mac);

    /// <summary>
    /// Records that <paramref name="mac"/> was served <paramref name="configHash"/> from <paramref name="commit"/>. Nothing
    /// happens when its last answer had the same bytes; otherwise the row is queued for the next group commit and this
    /// returns at once. True when a row was queued.
    /// </summary>
    public bool RecordServed(MacAddress mac, string commit, string configHash, int? pullRequest, IPAddress? address)
    {
        var found = _lastServed.TryGetValue(mac, out var last);
        // Hashes of an unchanged config are one string shared between commits: equality is mostly a reference check.
        if (found && string.Equals(last!.ConfigHash, configHash, StringComparison.Ordinal))
        {
            return false;
        }

        var entry = new ServedEntry(0, commit, configHash, pullRequest, _time.GetUtcNow(), address?.ToString());
        // Two requests racing with new bytes: one of them records.
        if (found ? !_lastServed.TryUpdate(mac, entry, last!) : !_lastServed.TryAdd(mac, entry))
        {
            return false;
        }

        if (_disposed)
        {
            return false;
        }

        try
        {
            _writer.Enqueue(new ServedWrite(this, mac, entry));
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// After <paramref name="commit"/> was swapped in: records, for each machine in <paramref name="rendered"/> whose hash
    /// differs from the last one recorded for it, that this commit changed it. Durable when the task ends; returns how
    /// many machines changed. On a failed write those machines are compared again at the next swap.
    /// </summary>
    public async Task<int> RecordRenderChangesAsync(
        string commit, int? pullRequest, IEnumerable<(MacAddress Mac, string ConfigHash)> rendered, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var changed = new List<(MacAddress Mac, string Hash)>();
        foreach (var (mac, hash) in rendered)
        {
            if (!_lastRendered.TryGetValue(mac, out var last) || !string.Equals(last, hash, StringComparison.Ordinal))
            {
                changed.Add((mac, hash));
                _lastRendered[mac] = hash;
            }
        }

        if (changed.Count == 0)
        {
            return 0;
        }

        try
        {
            await _writer.WriteAsync(batch =>
            {
                foreach (var (mac, hash) in changed)
                {
                    Insert(batch, mac, RenderChangeInsertSql, RenderChangeTrimSql, commit, hash, pullRequest, now, address: null);
                }

                return changed.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var (mac, hash) in changed)
            {
                _lastRendered.TryRemove(new KeyValuePair<MacAddress, string>(mac, hash));
            }

            throw;
        }

        return changed.Count;
    }

    /// <summary>At most <paramref name="limit"/> served entries of <paramref name="mac"/>, newest first, older than <paramref name="before"/> (an <see cref="ServedEntry.Id"/>) when given.</summary>
    public async Task<IReadOnlyList<ServedEntry>> HistoryAsync(MacAddress mac, int limit, long? before = null, CancellationToken cancellationToken = default)
    {
        await WhenWrittenAsync(cancellationToken).ConfigureAwait(false);
        return await _writer.ExclusiveAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT id, commit_sha, config_hash, pull_request, served_at, address FROM served_history
                WHERE mac = $mac AND id < $before ORDER BY id DESC LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$mac", mac.ToString());
            command.Parameters.AddWithValue("$before", before ?? long.MaxValue);
            command.Parameters.AddWithValue("$limit", limit);
            var entries = new List<ServedEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new ServedEntry(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            return (IReadOnlyList<ServedEntry>)entries;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends once every write queued before the call (served answers included) is on disk: a reader sees what was answered.</summary>
    public Task WhenWrittenAsync(CancellationToken cancellationToken = default) => _writer.WriteAsync(_ => 0, cancellationToken);

    /// <summary>The render changes kept for each of <paramref name="macs"/>, oldest first (machines without any are left out).</summary>
    public Task<IReadOnlyDictionary<MacAddress, IReadOnlyList<RenderChange>>> RenderChangesAsync(
        IReadOnlyCollection<MacAddress> macs, CancellationToken cancellationToken = default) =>
        _writer.ExclusiveAsync(connection =>
        {
            var found = new Dictionary<MacAddress, IReadOnlyList<RenderChange>>();
            if (macs.Count == 0)
            {
                return (IReadOnlyDictionary<MacAddress, IReadOnlyList<RenderChange>>)found;
            }

            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT mac, commit_sha, config_hash, pull_request, changed_at FROM render_changes
                WHERE mac IN (SELECT value FROM json_each($macs)) ORDER BY mac, id;
                """;
            command.Parameters.AddWithValue("$macs", System.Text.Json.JsonSerializer.Serialize(macs.Select(m => m.ToString())));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var mac = MacAddress.Parse(reader.GetString(0));
                if (!found.TryGetValue(mac, out var list))
                {
                    found[mac] = list = new List<RenderChange>();
                }

                ((List<RenderChange>)list).Add(new RenderChange(
                    reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return (IReadOnlyDictionary<MacAddress, IReadOnlyList<RenderChange>>)found;
        }, cancellationToken);

    private const string ServedInsertSql = """
        INSERT INTO served_history (mac, commit_sha, config_hash, pull_request, served_at, address)
        VALUES ($mac, $commit, $hash, $pr, $time, $address);
        """;

    // The id at offset `keep` (newest first) and every older one go: an index range on (mac, id).
    private const string ServedTrimSql = """
        DELETE FROM served_history WHERE mac = $mac AND id <= (
            SELECT id FROM served_history WHERE mac = $mac ORDER BY id DESC LIMIT 1 OFFSET $keep);
        """;

    private const string RenderChangeInsertSql = """
        INSERT INTO render_changes (mac, commit_sha, config_hash, pull_request, changed_at)
        VALUES ($mac, $commit, $hash, $pr, $time);
        """;

    private const string RenderChangeTrimSql = """
        DELETE FROM render_changes WHERE mac = $mac AND id <= (
            SELECT id FROM render_changes WHERE mac = $mac ORDER BY id DESC LIMIT 1 OFFSET $keep);
        """;

    private void Insert(WriteBatch batch, MacAddress mac, string insertSql, string trimSql, string commit, string hash, int? pullRequest, DateTimeOffset time, string? address)
    {
        var withAddress = insertSql.Contains("$address", StringComparison.Ordinal);
        var insert = withAddress
            ? batch.Command(insertSql, "$mac", "$commit", "$hash", "$pr", "$time", "$address")
            : batch.Command(insertSql, "$mac", "$commit", "$hash", "$pr", "$time");
        var p = insert.Parameters;
        p[0].Value = mac.ToString();
        p[1].Value = commit;
        p[2].Value = hash;
        p[3].Value = (object?)pullRequest ?? DBNull.Value;
        p[4].Value = time.ToUnixTimeMilliseconds();
        if (withAddress)
        {
            p[5].Value = (object?)address ?? DBNull.Value;
        }

        insert.ExecuteNonQuery();
        var trim = batch.Command(trimSql, "$mac", "$keep");
        trim.Parameters[0].Value = mac.ToString();
        trim.Parameters[1].Value = HistoryEntries;
        trim.ExecuteNonQuery();
    }

    private void LoadHistory(SqliteConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT h.id, h.mac, h.commit_sha, h.config_hash, h.pull_request, h.served_at, h.address FROM served_history h
                WHERE h.id = (SELECT MAX(id) FROM served_history WHERE mac = h.mac);
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(1), out var mac))
                {
                    _lastServed[mac] = new ServedEntry(
                        reader.GetInt64(0), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.IsDBNull(6) ? null : reader.GetString(6));
                }
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT r.mac, r.config_hash FROM render_changes r
                WHERE r.id = (SELECT MAX(id) FROM render_changes WHERE mac = r.mac);
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    _lastRendered[mac] = reader.GetString(1);
                }
            }
        }
    }

    // One served answer in the group commit; the answer went out already, so a failure only forgets it in memory
    // (the machine's next download records it again).
    private sealed class ServedWrite(DeviceStore store, MacAddress mac, ServedEntry entry) : PendingWrite
    {
        public override bool Isolated => true;

        public override void Apply(WriteBatch batch) =>
            store.Insert(batch, mac, ServedInsertSql, ServedTrimSql, entry.Commit, entry.ConfigHash, entry.PullRequest, entry.Time, entry.Address);

        public override void Complete(Exception? failure)
        {
            if (failure is not null)
            {
                store._lastServed.TryRemove(new KeyValuePair<MacAddress, ServedEntry>(mac, entry));
            }
        }
    }
}
