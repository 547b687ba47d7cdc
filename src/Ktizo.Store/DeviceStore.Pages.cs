using Ktizo.Core;

namespace Ktizo.Store;

/// <summary>
/// Bounded reads: the API's pages, the page's newest machines and its search. Nothing here reads the whole
/// table, so invented MACs by the hundred thousand cost the reader a page, not the file (issue 15, finding 5).
/// </summary>
public sealed partial class DeviceStore
{
    /// <summary>At most <paramref name="limit"/> devices with a MAC after <paramref name="after"/> (all when null), in MAC order.</summary>
    public Task<IReadOnlyList<DeviceRecord>> PageAsync(MacAddress? after, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "WHERE mac > $after ORDER BY mac LIMIT $limit",
            [("$after", after?.ToString() ?? string.Empty), ("$limit", limit)],
            cancellationToken);

    /// <summary>Devices by last sighting, newest first, skipping <paramref name="offset"/>.</summary>
    public Task<IReadOnlyList<DeviceRecord>> NewestAsync(int limit, int offset, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "ORDER BY last_seen DESC, mac LIMIT $limit OFFSET $offset",
            [("$limit", limit), ("$offset", offset)],
            cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> devices whose MAC (lower-case colons) starts with <paramref name="prefix"/>
    /// (a prefix of that spelling, <see cref="MacPrefix"/>), in MAC order.
    /// </summary>
    public Task<IReadOnlyList<DeviceRecord>> WithPrefixAsync(string prefix, int limit, CancellationToken cancellationToken = default) =>
        // '~' sorts after every hex digit and ':', so [prefix, prefix~) is exactly the MACs starting with it: an index range.
        QueryAsync(
            "WHERE mac >= $prefix AND mac < $prefix || '~' ORDER BY mac LIMIT $limit",
            [("$prefix", prefix), ("$limit", limit)],
            cancellationToken);

    /// <summary>The records of <paramref name="macs"/> that the store knows, in MAC order.</summary>
    public async Task<IReadOnlyList<DeviceRecord>> GetManyAsync(IEnumerable<MacAddress> macs, CancellationToken cancellationToken = default)
    {
        var known = macs.Where(_activity.ContainsKey).Select(m => m.ToString()).ToList();
        if (known.Count == 0)
        {
            return [];
        }

        return await QueryAsync(
            "WHERE mac IN (SELECT value FROM json_each($macs)) ORDER BY mac",
            [("$macs", System.Text.Json.JsonSerializer.Serialize(known))],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The open issue (or digest) carrying each of <paramref name="macs"/> that has one, from the GitHub outbox.</summary>
    public async Task<IReadOnlyDictionary<MacAddress, int>> OpenIssuesOfAsync(IEnumerable<MacAddress> macs, CancellationToken cancellationToken = default)
    {
        var wanted = macs.Select(m => m.ToString()).Distinct().ToList();
        if (wanted.Count == 0)
        {
            return new Dictionary<MacAddress, int>();
        }

        return await _writer.ExclusiveAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT mac, issue_number FROM issue_outbox
                WHERE issue_number IS NOT NULL AND issue_closed = 0 AND mac IN (SELECT value FROM json_each($macs));
                """;
            command.Parameters.AddWithValue("$macs", System.Text.Json.JsonSerializer.Serialize(wanted));
            var issues = new Dictionary<MacAddress, int>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    issues[mac] = reader.GetInt32(1);
                }
            }

            return (IReadOnlyDictionary<MacAddress, int>)issues;
        }, cancellationToken).ConfigureAwait(false);
    }
}
