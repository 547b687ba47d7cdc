using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Ktizo.Core.Inventory;

/// <summary>An interface address with its prefix length, as in <c>10.0.5.11/24</c>.</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out IpPrefix prefix)
    {
        prefix = default;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/');
        if (slash <= 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out var length))
        {
            return false;
        }

        // IPAddress.TryParse also takes "10.1" and "1"; an inventory wants the written-out form.
        var written = text[..slash];
        if (address.AddressFamily == AddressFamily.InterNetwork && written.Count(c => c == '.') != 3)
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length < 0 || length > max || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return false;
        }

        prefix = new IpPrefix(address, length);
        return true;
    }

    /// <summary>True when <paramref name="other"/> is in the same subnet as this address.</summary>
    public bool Contains(IPAddress other)
    {
        if (other.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        var a = Address.GetAddressBytes();
        var b = other.GetAddressBytes();
        var bits = PrefixLength;
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? (byte)0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
