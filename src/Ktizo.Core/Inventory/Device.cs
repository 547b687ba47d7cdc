using System.Net;

namespace Ktizo.Core.Inventory;

/// <summary>
/// An approved device: one file under <c>inventory/devices/</c> without <c>status: rejected</c>.
/// Values are resolved: where the file leaves gateway or install disk out, the cluster default is here.
/// </summary>
public sealed record Device(
    string File,
    MacAddress Mac,
    string Hostname,
    Role Role,
    IpPrefix Ip,
    IPAddress? Gateway,
    string? InstallDisk,
    string? Interface,
    int? Mtu,
    IReadOnlyList<string> Nameservers,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Patches)
{
    /// <summary>How its config download is authenticated: the file's <c>deviceAuth:</c>, else the cluster's.</summary>
    public DeviceAuth.DeviceAuthMode DeviceAuth { get; init; }

    /// <summary>
    /// <c>deviceAuthRearm:</c>, free text (a date and a reason). When a served commit carries a value the
    /// gatekeeper has not applied for this MAC yet, it re-arms the MAC once (docs/device-auth.md): the re-arm
    /// is recorded in git.
    /// </summary>
    public string? DeviceAuthRearm { get; init; }
}

/// <summary>
/// A device file with <c>status: rejected</c>: the MAC is known and refused. Only the MAC is required,
/// so <c>ktizo reject MAC</c> can write one without inventing a hostname.
/// </summary>
public sealed record RejectedDevice(string File, MacAddress Mac, string? Hostname, string? Reason);
