using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rules;

/// <summary>
/// A rule's <c>pool:</c>: the subnet its devices are on (<c>subnet: 10.0.5.0/24</c>, which gives each address its
/// prefix length) and optionally the part of it to hand out (<c>range: 10.0.5.100-10.0.5.149</c>). Without a range,
/// the whole subnet but its network and broadcast addresses.
/// </summary>
public sealed record AddressPool(IpPrefix Subnet, IPAddress First, IPAddress Last)
{
    /// <summary>Parses the subnet and the optional range; <paramref name="problem"/> says what is wrong otherwise.</summary>
    public static bool TryCreate(string subnetText, string? rangeText, [NotNullWhen(true)] out AddressPool? pool, [NotNullWhen(false)] out string? problem)
    {
        pool = null;
        if (!IpPrefix.TryParse(subnetText, out var subnet))
        {
            problem = $"subnet '{InventoryReader.Printable(subnetText)}' must be an address with prefix length, e.g. 10.0.5.0/24";
            return false;
        }

        var bits = subnet.Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var network = ToNumber(subnet.Address) & Mask(subnet.PrefixLength, bits);
        var last = network | ~Mask(subnet.PrefixLength, bits) & Mask(bits, bits);
        // Network and broadcast addresses are no host's (IPv4 below /31).
        var (first, end) = bits == 32 && subnet.PrefixLength < 31 ? (network + 1, last - 1) : (network, last);
        if (rangeText is not null)
        {
            var dash = rangeText.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !IPAddress.TryParse(rangeText.AsSpan(0, dash), out var from) || !IPAddress.TryParse(rangeText.AsSpan(dash + 1), out var to)
                || from.AddressFamily != subnet.Address.AddressFamily || to.AddressFamily != subnet.Address.AddressFamily || ToNumber(from) > ToNumber(to))
            {
                problem = $"range '{InventoryReader.Printable(rangeText)}' must be two addresses of the subnet's family, lowest first, e.g. 10.0.5.100-10.0.5.149";
                return false;
            }

            if (!subnet.Contains(from) || !subnet.Contains(to))
            {
                problem = $"range {rangeText} is not inside subnet {subnet}";
                return false;
            }

            (first, end) = (UInt128.Max(first, ToNumber(from)), UInt128.Min(end, ToNumber(to)));
        }

        if (first > end)
        {
            problem = $"the pool {subnetText}{(rangeText is null ? string.Empty : " " + rangeText)} holds no host address";
            return false;
        }

        pool = new AddressPool(new IpPrefix(subnet.Address, subnet.PrefixLength), FromNumber(first, bits), FromNumber(end, bits));
        problem = null;
        return true;
    }

    public bool Contains(IPAddress address) =>
        address.AddressFamily == First.AddressFamily && ToNumber(address) >= ToNumber(First) && ToNumber(address) <= ToNumber(Last);

    /// <summary>The lowest address of the pool not in <paramref name="taken"/>, with the subnet's prefix length; null when all are.</summary>
    public IpPrefix? NextFree(IReadOnlySet<IPAddress> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var bits = First.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var last = ToNumber(Last);
        // Among taken.Count + 1 addresses one is free (pigeonhole), so the loop is bounded.
        var candidate = ToNumber(First);
        for (var tried = 0; tried <= taken.Count; tried++, candidate++)
        {
            var address = FromNumber(candidate, bits);
            if (!taken.Contains(address))
            {
                return new IpPrefix(address, Subnet.PrefixLength);
            }

            if (candidate == last)
            {
                break;
            }
        }

        return null;
    }

    public override string ToString() => $"{First}-{Last}/{Subnet.PrefixLength}";

    private static UInt128 Mask(int prefixLength, int bits) =>
        prefixLength == 0 ? UInt128.Zero : (UInt128.MaxValue << (128 - prefixLength)) >> (128 - bits);

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static IPAddress FromNumber(UInt128 value, int bits)
    {
        var bytes = new byte[bits / 8];
        for (var i = bytes.Length - 1; i >= 0; i--, value >>= 8)
        {
            bytes[i] = (byte)value;
        }

        return new IPAddress(bytes);
    }
}
