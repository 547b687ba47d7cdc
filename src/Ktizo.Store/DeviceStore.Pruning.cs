using Ktizo.Core;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>
/// Forgetting machines nobody wanted (issue 15, finding 5), and the write that tells whether the file takes
/// writes again after a failure (finding 7).
/// </summary>
public sealed partial class DeviceStore
{
    private static readonly string Decided = $"{(int)OutboxState.Approved}, {(int)OutboxState.Rejected}";

    /// <summary>
    /// Deletes every device last seen before <paramref name="cutoff"/> that was never approved: never served a
    /// config, never approved or rejected by a commit as far as the outbox knows, and not decided by
    /// <paramref name="isDecided"/> (the served commit, git's word) now. Its outbox row goes with it: an open
    /// GitHub issue for it stays open on GitHub, and a machine that comes back is a first sighting again.
    /// Returns the MACs deleted.
    /// </summary>
    public async Task<IReadOnlyList<MacAddress>> PruneNeverApprovedAsync(
        DateTimeOffset cutoff, Func<MacAddress, bool> isDecided, CancellationToken cancellationToken = default)
    {
        return await _writer.ExclusiveAsync(connection =>
        {
            // Counters first: a machine seen since the last flush has a newer last_seen than the file says.
            FlushLocked(connection);
            var stale = new List<MacAddress>();
            using (var select = connection.CreateCommand())
            {
                select.CommandText = $"""
                    SELECT d.mac FROM devices d LEFT JOIN issue_outbox o ON o.mac = d.mac
                    WHERE d.last_seen < $cutoff AND d.download_count = 0 AND d.last_download IS NULL
                      AND COALESCE(o.status, 0) NOT IN ({Decided}) AND o.decision_commit IS NULL;
                    """;
                select.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    if (MacAddress.TryParse(reader.GetString(0), out var mac) && !isDecided(mac))
                    {
                        stale.Add(mac);
                    }
                }
            }

            // Out of memory before out of the file: a request for one of these MACs from now on is a first
            // sighting, queued behind this gate, so its insert lands after the delete. One touched between the
            // flush above and here is kept.
            var removed = new List<(MacAddress Mac, Activity Activity)>(stale.Count);
            foreach (var mac in stale)
            {
                if (_activity.TryRemove(mac, out var activity))
                {
                    if (activity.IsDirty)
                    {
                        _activity[mac] = activity;
                        continue;
                    }

                    removed.Add((mac, activity));
                }
            }

            if (removed.Count == 0)
            {
                return (IReadOnlyList<MacAddress>)[];
            }

            try
            {
                using var transaction = connection.BeginTransaction();
                using var device = connection.CreateCommand();
                device.Transaction = transaction;
                device.CommandText = "DELETE FROM devices WHERE mac = $mac;";
                var pDevice = device.Parameters.Add("$mac", SqliteType.Text);
                using var outbox = connection.CreateCommand();
                outbox.Transaction = transaction;
                outbox.CommandText = "DELETE FROM issue_outbox WHERE mac = $mac;";
                var pOutbox = outbox.Parameters.Add("$mac", SqliteType.Text);
                foreach (var (mac, _) in removed)
                {
                    pDevice.Value = pOutbox.Value = mac.ToString();
                    device.ExecuteNonQuery();
                    outbox.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch
            {
                // Nothing was deleted: the file still knows them, so memory must too.
                foreach (var (mac, activity) in removed)
                {
                    _activity.TryAdd(mac, activity);
                }

                throw;
            }

            return removed.Select(r => r.Mac).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A committed write that needs new space, through the group commit as a first sighting goes: it fails as a
    /// first sighting would (full disk, I/O error) and succeeds once one would succeed again. The row is one page
    /// larger than the file's free pages, so the file must grow, and is removed in the same transaction; its pages
    /// stay on the free list for the next sightings.
    /// </summary>
    public Task ProbeWriteAsync(CancellationToken cancellationToken = default) =>
        _writer.WriteAsync(batch =>
        {
            var size = batch.Command("SELECT (freelist_count + 1) * page_size FROM pragma_freelist_count, pragma_page_size;");
            var bytes = Convert.ToInt64(size.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            var insert = batch.Command(
                "INSERT INTO meta (key, value) VALUES ('write-probe', randomblob($bytes)) ON CONFLICT (key) DO UPDATE SET value = excluded.value;", "$bytes");
            insert.Parameters[0].Value = bytes;
            insert.ExecuteNonQuery();
            return batch.Command("DELETE FROM meta WHERE key = 'write-probe';").ExecuteNonQuery();
        }, cancellationToken);
}
