using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// One device as the API and the page show it: what the served commit says of it (status, its device file,
/// the commit that added that file) joined with what the store observed. Built only by <see cref="DeviceDirectory"/>.
/// </summary>
/// <param name="Record">What the store observed; null for a device file no machine has asked for yet.</param>
/// <param name="Device">The approved device file, when the served commit approves it.</param>
/// <param name="Rejected">The rejecting device file, when the served commit rejects it.</param>
/// <param name="Decision">The commit that added the device file, once the approvals of the served commit are known.</param>
public sealed record DeviceReading(
    MacAddress Mac,
    DeviceStatus Status,
    DeviceRecord? Record,
    Device? Device,
    RejectedDevice? Rejected,
    Approval? Decision)
{
    public string? Hostname => Device?.Hostname ?? Rejected?.Hostname;

    public string? File => Device?.File ?? Rejected?.File;

    /// <summary>For an approved device, its last download against what git renders now (docs/drift.md); else null.</summary>
    public DeviceDrift? Drift { get; init; }
}
