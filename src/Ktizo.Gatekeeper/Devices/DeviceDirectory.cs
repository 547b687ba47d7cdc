using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// The read side of devices, in bounded reads only (issue 15), for <c>GET /api/v1/devices</c>, <c>GET /api/v1/devices/{mac}</c>, register's answer
/// and the page: every device the store has seen or the served commit has a file for, each a <see cref="DeviceReading"/>.
/// The served snapshot and its approvals are read once per call, so one answer never mixes two commits.
/// </summary>
public sealed class DeviceDirectory(DeviceStore store, ServingState state)
{
    /// <summary>
    /// At most <paramref name="limit"/> devices with a MAC after <paramref name="after"/>, in MAC order, and the last
    /// MAC of this page when more follow (the cursor of the next page). Reads limit + 1 rows, never the table.
    /// </summary>
    public async Task<DevicePage> PageAsync(MacAddress? after, int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        var approvals = state.Approvals;
        var records = (await store.PageAsync(after, limit + 1, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Mac);
        var macs = new SortedSet<MacAddress>(records.Keys);
        if (snapshot is not null)
        {
            // Git's devices are bounded by the repository (trusted): merged in, then cut to the page.
            macs.UnionWith(GitMacs(snapshot).Where(m => after is null || m.CompareTo(after.Value) > 0).Order().Take(limit + 1));
        }

        var page = macs.Take(limit + 1).ToList();
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }

        await AddRecordsAsync(records, page, cancellationToken).ConfigureAwait(false);
        var devices = await WithSinceAsync(page.Select(mac => Read(mac, records.GetValueOrDefault(mac), snapshot, approvals)).ToList(), cancellationToken).ConfigureAwait(false);
        return new DevicePage(snapshot, devices, more ? page[^1] : null);
    }

    /// <summary>How many devices of each status: approved and rejected from the served commit, pending from the store (in memory).</summary>
    public DeviceCounts Counts()
    {
        var set = state.Snapshot?.Set;
        var pending = 0;
        foreach (var mac in store.KnownMacs)
        {
            if (set is null || set.StatusOf(mac) == DeviceStatus.Pending)
            {
                pending++;
            }
        }

        return new DeviceCounts(set?.Approved.Count ?? 0, set?.Rejected.Count ?? 0, pending);
    }

    /// <summary>The <paramref name="limit"/> pending devices seen most recently, newest first.</summary>
    public async Task<IReadOnlyList<DeviceReading>> NewestPendingAsync(int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        var approvals = state.Approvals;
        var found = new List<DeviceReading>(limit);
        // Decided devices interleave with pending ones by last_seen; their number is bounded by the repository.
        var batch = limit * 2 + 16;
        for (var offset = 0; found.Count < limit; offset += batch)
        {
            var rows = await store.NewestAsync(batch, offset, cancellationToken).ConfigureAwait(false);
            foreach (var record in rows)
            {
                var reading = Read(record.Mac, record, snapshot, approvals);
                if (reading.Status == DeviceStatus.Pending && found.Count < limit)
                {
                    found.Add(reading);
                }
            }

            if (rows.Count < batch)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>At most <paramref name="limit"/> decided devices of <paramref name="status"/> (approved or rejected), by hostname.</summary>
    public async Task<IReadOnlyList<DeviceReading>> DecidedAsync(DeviceStatus status, int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null)
        {
            return [];
        }

        var approvals = state.Approvals;
        var macs = status == DeviceStatus.Approved
            ? snapshot.Set.Approved.OrderBy(p => p.Value.Device.Hostname, StringComparer.Ordinal).Select(p => p.Key).Take(limit).ToList()
            : snapshot.Set.Rejected.OrderBy(p => p.Value.Hostname, StringComparer.Ordinal).Select(p => p.Key).Take(limit).ToList();
        var records = new Dictionary<MacAddress, DeviceRecord>();
        await AddRecordsAsync(records, macs, cancellationToken).ConfigureAwait(false);
        return await WithSinceAsync(macs.Select(mac => Read(mac, records.GetValueOrDefault(mac), snapshot, approvals)).ToList(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>At most <paramref name="limit"/> devices whose MAC starts with <paramref name="prefix"/> (<see cref="MacPrefix"/>), in MAC order.</summary>
    public async Task<IReadOnlyList<DeviceReading>> SearchAsync(string prefix, int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        var approvals = state.Approvals;
        var records = (await store.WithPrefixAsync(prefix, limit, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Mac);
        var macs = new SortedSet<MacAddress>(records.Keys);
        if (snapshot is not null)
        {
            macs.UnionWith(GitMacs(snapshot).Where(m => m.ToString().StartsWith(prefix, StringComparison.Ordinal)));
        }

        var page = macs.Take(limit).ToList();
        await AddRecordsAsync(records, page, cancellationToken).ConfigureAwait(false);
        return await WithSinceAsync(page.Select(mac => Read(mac, records.GetValueOrDefault(mac), snapshot, approvals)).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<MacAddress> GitMacs(ServingSnapshot snapshot) => snapshot.Set.Approved.Keys.Concat(snapshot.Set.Rejected.Keys);

    private async Task AddRecordsAsync(Dictionary<MacAddress, DeviceRecord> records, IEnumerable<MacAddress> macs, CancellationToken cancellationToken)
    {
        var missing = macs.Where(m => !records.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            foreach (var record in await store.GetManyAsync(missing, cancellationToken).ConfigureAwait(false))
            {
                records[record.Mac] = record;
            }
        }
    }

    /// <summary>One device; null when the store never saw it and the served commit has no file for it.</summary>
    public async Task<DeviceReading?> GetAsync(MacAddress mac, CancellationToken cancellationToken)
    {
        var reading = await ReadAsync(mac, cancellationToken).ConfigureAwait(false);
        return reading.Record is null && reading.Status == DeviceStatus.Pending ? null : reading;
    }

    /// <summary>One device, known or not (a MAC just recorded, for register's answer).</summary>
    public async Task<DeviceReading> ReadAsync(MacAddress mac, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(mac, cancellationToken).ConfigureAwait(false);
        return (await WithSinceAsync([Read(mac, record, state.Snapshot, state.Approvals)], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Every drifted approved machine of the served commit, by hostname, at most <paramref name="limit"/> (the repository bounds
    /// them), with the commit since which each is drifted.
    /// </summary>
    public async Task<IReadOnlyList<DeviceReading>> DriftedAsync(int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null)
        {
            return [];
        }

        var approvals = state.Approvals;
        var macs = snapshot.Set.Approved
            .Where(p => DeviceDrift.IsDrifted(store.LastServed(p.Key), p.Value.Sha256))
            .OrderBy(p => p.Value.Device.Hostname, StringComparer.Ordinal).Select(p => p.Key).Take(limit).ToList();
        var records = new Dictionary<MacAddress, DeviceRecord>();
        await AddRecordsAsync(records, macs, cancellationToken).ConfigureAwait(false);
        return await WithSinceAsync(macs.Select(mac => Read(mac, records.GetValueOrDefault(mac), snapshot, approvals)).ToList(), cancellationToken).ConfigureAwait(false);
    }

    // One query for the page's drifted machines: since which commit each is drifted.
    private async Task<IReadOnlyList<DeviceReading>> WithSinceAsync(List<DeviceReading> readings, CancellationToken cancellationToken)
    {
        var drifted = readings.Where(r => r.Drift?.State == Core.Drift.DriftState.Drifted).Select(r => r.Mac).ToList();
        if (drifted.Count == 0)
        {
            return readings;
        }

        var changes = await store.RenderChangesAsync(drifted, cancellationToken).ConfigureAwait(false);
        return readings.Select(r => r.Drift?.State == Core.Drift.DriftState.Drifted ? r with { Drift = r.Drift.WithSince(changes.GetValueOrDefault(r.Mac)) } : r).ToList();
    }

    private DeviceReading Read(MacAddress mac, DeviceRecord? record, ServingSnapshot? snapshot, ApprovalIndex approvals)
    {
        var set = snapshot?.Set;
        var status = set?.StatusOf(mac) ?? DeviceStatus.Pending;
        var device = set is not null && set.Approved.TryGetValue(mac, out var config) ? config.Device : null;
        var rejected = set is not null && set.Rejected.TryGetValue(mac, out var r) ? r : null;
        var file = device?.File ?? rejected?.File;
        var decision = file is not null && approvals.ByPath.TryGetValue(file, out var approval) ? approval : null;
        return new DeviceReading(mac, status, record, device, rejected, decision) { Drift = DeviceDrift.Of(mac, snapshot, store) };
    }
}

/// <summary>One page of <c>GET /api/v1/devices</c>: the devices, and the cursor of the next page (null on the last).</summary>
public sealed record DevicePage(ServingSnapshot? Snapshot, IReadOnlyList<DeviceReading> Devices, MacAddress? Next);

/// <summary>Devices by status.</summary>
public sealed record DeviceCounts(int Approved, int Rejected, int Pending);
