using System.Net;
using Ktizo.Core.Validation;

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
    /// <summary>
    /// The control-plane nodes' shared layer-2 virtual IP (<c>vip:</c>), or null when they share none. An address of
    /// its own, not taken from <see cref="Endpoint"/>: the endpoint may be a DNS name or an IPv6 URL, and Talos's
    /// Layer2VIPConfig takes only an IP.
    /// </summary>
    public IPAddress? Vip { get; init; }

    /// <summary>Where <see cref="Vip"/> is written, for errors about it.</summary>
    public SourceLocation VipAt { get; init; }

    /// <summary>The <c>boot:</c> block: how <c>/boot.ipxe</c> boots this cluster's machines.</summary>
    public ClusterBoot Boot { get; init; } = ClusterBoot.Default;

    /// <summary><c>deviceAuth:</c>, the mode every device has unless its file says otherwise (docs/device-auth.md).</summary>
    public DeviceAuth.DeviceAuthMode DeviceAuth { get; init; }
}

/// <summary>The <c>defaults:</c> block of cluster.yaml.</summary>
public sealed record ClusterDefaults(
    string? Gateway,
    IReadOnlyList<string> Nameservers,
    string? InstallDisk,
    int? Mtu);

/// <summary>
/// The <c>boot:</c> block of cluster.yaml. <paramref name="HaltIfInstalled"/>: the boot script passes
/// <c>talos.halt_if_installed=1</c>, so a machine that network-boots with Talos already on its disk stops
/// instead of running from the network image (docs/boot.md).
/// </summary>
public sealed record ClusterBoot(bool HaltIfInstalled)
{
    public static readonly ClusterBoot Default = new(HaltIfInstalled: true);
}
