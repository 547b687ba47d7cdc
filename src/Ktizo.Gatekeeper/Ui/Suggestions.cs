using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// Pre-filled values for the approve form, read from the served set. Only suggestions: whatever the
/// administrator submits goes through the validator.
/// </summary>
public static partial class Suggestions
{
    /// <summary>
    /// The lowest free IPv4 address above the approved devices' lowest one, in the subnet most of them use,
    /// skipping every approved address, the gateway, the endpoint's host and the broadcast address.
    /// Null when no approved device gives a subnet.
    /// </summary>
    public static string? NextAddress(RenderedSet? set)
    {
        if (set is null)
        {
            return null;
        }

        var devices = set.Approved.Values.Select(c => c.Device).Where(d => d.Ip.Address.AddressFamily == AddressFamily.InterNetwork).ToList();
        if (devices.Count == 0)
        {
            return null;
        }

        var subnet = devices.GroupBy(d => Network(d.Ip)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Network).First();
        var (network, prefixLength) = subnet.Key;
        var used = new HashSet<uint>(devices.Select(d => ToUInt(d.Ip.Address)));
        foreach (var gateway in devices.Select(d => d.Gateway).Append(TryParse(set.Cluster.Defaults.Gateway)))
        {
            if (gateway is { AddressFamily: AddressFamily.InterNetwork })
            {
                used.Add(ToUInt(gateway));
            }
        }

        if (Uri.TryCreate(set.Cluster.Endpoint, UriKind.Absolute, out var endpoint) && IPAddress.TryParse(endpoint.Host, out var endpointAddress)
            && endpointAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            used.Add(ToUInt(endpointAddress));
        }

        var size = prefixLength >= 31 ? 0u : (1u << (32 - prefixLength));
        var broadcast = network + size - 1;
        for (var candidate = subnet.Min(d => ToUInt(d.Ip.Address)) + 1; candidate < broadcast && candidate > network; candidate++)
        {
            if (!used.Contains(candidate))
            {
                return $"{FromUInt(candidate)}/{prefixLength}";
            }
        }

        return null;
    }

    /// <summary>
    /// The next name in the sequence the role's devices follow (<c>worker-01</c>, <c>worker-02</c> → <c>worker-03</c>,
    /// keeping the zero padding); <c>worker-01</c>/<c>cp-01</c> when the role has no numbered device yet.
    /// </summary>
    public static string NextHostname(RenderedSet? set, Role role)
    {
        var numbered = (set?.Approved.Values ?? [])
            .Where(c => c.Device.Role == role)
            .Select(c => Numbered().Match(c.Device.Hostname))
            .Where(m => m.Success)
            .Select(m => (Prefix: m.Groups[1].Value, Digits: m.Groups[2].Value))
            .ToList();
        var taken = new HashSet<string>((set?.Approved.Values ?? []).Select(c => c.Device.Hostname), StringComparer.OrdinalIgnoreCase);
        if (numbered.Count == 0)
        {
            return role == Role.ControlPlane ? "cp-01" : "worker-01";
        }

        var series = numbered.GroupBy(n => n.Prefix, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        var width = series.Max(n => n.Digits.Length);
        var next = series.Max(n => long.Parse(n.Digits, CultureInfo.InvariantCulture)) + 1;
        string name;
        do
        {
            name = series.Key + next.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            next++;
        }
        while (taken.Contains(name));

        return name;
    }

    private static (uint Network, int PrefixLength) Network(IpPrefix ip)
    {
        var mask = ip.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - ip.PrefixLength);
        return (ToUInt(ip.Address) & mask, ip.PrefixLength);
    }

    private static IPAddress? TryParse(string? text) => IPAddress.TryParse(text, out var address) ? address : null;

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static IPAddress FromUInt(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    [GeneratedRegex(@"^(.*?)(\d+)$")]
    private static partial Regex Numbered();
}
