namespace Ktizo.Core.Inventory;

/// <summary>
/// <c>inventory/cluster.yaml</c>: cluster-wide values and the defaults a device inherits
/// unless its own file says otherwise. Field by field in docs/inventory.md.
/// </summary>
public sealed record Cluster(
    string Name,
    string Endpoint,
    string TalosVersion,
    string? KubernetesVersion,
    ClusterDefaults Defaults)
{
    /// <summary><c>deviceAuth:</c>, the mode every device has unless its file says otherwise (docs/device-auth.md).</summary>
    public DeviceAuth.DeviceAuthMode DeviceAuth { get; init; }
}

/// <summary>The <c>defaults:</c> block of cluster.yaml.</summary>
public sealed record ClusterDefaults(
    string? Gateway,
    IReadOnlyList<string> Nameservers,
    string? InstallDisk,
    int? Mtu);


