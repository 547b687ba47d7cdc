using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// The read side of devices, for <c>GET /api/v1/devices</c>, <c>GET /api/v1/devices/{mac}</c>, register's answer
/// and the page: every device the store has seen or the served commit has a file for, each a <see cref="DeviceReading"/>.
/// The served snapshot and its approvals are read once per call, so one answer never mixes two commits.
/// </summary>
public sealed class DeviceDirectory(DeviceStore store, ServingState state)
{
    /// <summary>Every known device, in MAC order, and the snapshot they were judged by (null before the first render).</summary>
    public async Task<(ServingSnapshot? Snapshot, IReadOnlyList<DeviceReading> Devices)> ListAsync(CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        var approvals = state.Approvals;
        var records = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Mac);
        var macs = new SortedSet<MacAddress>(records.Keys);
        if (snapshot is not null)
        {
            macs.UnionWith(snapshot.Set.Approved.Keys);
            macs.UnionWith(snapshot.Set.Rejected.Keys);
        }

        return (snapshot, macs.Select(mac => Read(mac, records.GetValueOrDefault(mac), snapshot, approvals)).ToList());
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
        return Read(mac, record, state.Snapshot, state.Approvals);
    }

    private static DeviceReading Read(MacAddress mac, DeviceRecord? record, ServingSnapshot? snapshot, ApprovalIndex approvals)
    {
        var set = snapshot?.Set;
        var status = set?.StatusOf(mac) ?? DeviceStatus.Pending;
        var device = set is not null && set.Approved.TryGetValue(mac, out var config) ? config.Device : null;
        var rejected = set is not null && set.Rejected.TryGetValue(mac, out var r) ? r : null;
        var file = device?.File ?? rejected?.File;
        var decision = file is not null && approvals.ByPath.TryGetValue(file, out var approval) ? approval : null;
        return new DeviceReading(mac, status, record, device, rejected, decision);
    }
}
