namespace Ktizo.Core.Inventory;

/// <summary>
/// <c>inventory/cluster.yaml</c>: cluster-wide values and the network defaults a device inherits
/// unless its own file says otherwise. Field by field in docs/inventory.md.
/// </summary>
public sealed record Cluster(
    string Name,
    string Endpoint,
    string TalosVersion,
    string? KubernetesVersion,
    string? Gateway,
    IReadOnlyList<string> Nameservers,
    string? InstallDisk,
    int? Mtu);

/// <summary>
/// One file under <c>inventory/devices/</c>. Optional values are as written; <see cref="ResolvedDevice"/>
/// holds them with the cluster defaults applied.
/// </summary>
public sealed record Device(
    string File,
    MacAddress Mac,
    string Hostname,
    Role Role,
    IpPrefix Ip,
    string? Gateway,
    string? InstallDisk,
    string? Interface,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Patches,
    DeviceStatus Status);
