using System.Collections.Frozen;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Everything rendered from one commit: immutable, so the gatekeeper swaps a whole set in one
/// reference assignment and a request sees either the old set or the new one, never a mix.
/// </summary>
public sealed class RenderedSet
{
    public RenderedSet(string? commit, Cluster cluster, IEnumerable<RenderedConfig> approved, IEnumerable<Device> rejected)
    {
        Commit = commit;
        Cluster = cluster;
        Approved = approved.ToFrozenDictionary(c => c.Mac);
        Rejected = rejected.ToFrozenDictionary(d => d.Mac);
    }

    /// <summary>The commit rendered, or null when rendered from a folder.</summary>
    public string? Commit { get; }

    public Cluster Cluster { get; }

    public FrozenDictionary<MacAddress, RenderedConfig> Approved { get; }

    public FrozenDictionary<MacAddress, Device> Rejected { get; }

    /// <summary>Default deny: anything not in a device file is pending.</summary>
    public DeviceStatus StatusOf(MacAddress mac) =>
        Approved.ContainsKey(mac) ? DeviceStatus.Approved
        : Rejected.ContainsKey(mac) ? DeviceStatus.Rejected
        : DeviceStatus.Pending;

    /// <summary>Every device with a file, approved and rejected, sorted by MAC.</summary>
    public IEnumerable<Device> Devices =>
        Approved.Values.Select(c => c.Device).Concat(Rejected.Values).OrderBy(d => d.Mac);
}
