using Ktizo.Core;

namespace Ktizo.Crypto.Age;

/// <summary>
/// Bech32 (BIP 173, checksum constant 1), the text form of age's keys. age uses it without BIP 173's
/// 90-character limit. A string is all lower case or all upper case; the checksum is over the lower-case form.
/// Error messages never repeat the string: it may be a secret key.
/// </summary>
public static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static string Encode(string hrp, ReadOnlySpan<byte> data, bool upperCase = false)
    {
        var lowerHrp = hrp.ToLowerInvariant();
        var values = ToFiveBit(data);
        var checksum = Checksum(lowerHrp, values);
        var chars = new char[lowerHrp.Length + 1 + values.Count + 6];
        lowerHrp.CopyTo(chars);
        chars[lowerHrp.Length] = '1';
        var at = lowerHrp.Length + 1;
        foreach (var value in values.Concat(checksum))
        {
            chars[at++] = Charset[value];
        }

        var text = new string(chars);
        return upperCase ? text.ToUpperInvariant() : text;
    }

    /// <summary>The data of <paramref name="text"/>, which must carry the human-readable part <paramref name="hrp"/>.</summary>
    public static byte[] Decode(string text, string hrp, string what)
    {
        if (text.Any(c => c < 33 || c > 126))
        {
            throw new KtizoException($"{what}: not a Bech32 string (a character outside printable ASCII)");
        }

        if (text.Any(char.IsUpper) && text.Any(char.IsLower))
        {
            throw new KtizoException($"{what}: mixed upper and lower case (Bech32 forbids it)");
        }

        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || lower.Length - separator - 1 < 6)
        {
            throw new KtizoException($"{what}: not a Bech32 string (no separator or too short)");
        }

        var actualHrp = lower[..separator];
        if (!string.Equals(actualHrp, hrp.ToLowerInvariant(), StringComparison.Ordinal))
        {
            throw new KtizoException($"{what}: expected the prefix {hrp}1, found another");
        }

        var values = new List<byte>(lower.Length - separator - 1);
        foreach (var c in lower[(separator + 1)..])
        {
            var index = Charset.IndexOf(c, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new KtizoException($"{what}: a character outside Bech32's alphabet");
            }

            values.Add((byte)index);
        }

        if (Polymod(ExpandHrp(actualHrp).Concat(values)) != 1)
        {
            throw new KtizoException($"{what}: the Bech32 checksum does not match (a typo or a truncated key)");
        }

        return FromFiveBit(values.Take(values.Count - 6).ToList(), what);
    }

    private static List<byte> ToFiveBit(ReadOnlySpan<byte> data)
    {
        var result = new List<byte>((data.Length * 8 + 4) / 5);
        int accumulator = 0, bits = 0;
        foreach (var b in data)
        {
            accumulator = (accumulator << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                result.Add((byte)((accumulator >> bits) & 31));
            }
        }

        if (bits > 0)
        {
            result.Add((byte)((accumulator << (5 - bits)) & 31));
        }

        return result;
    }

    private static byte[] FromFiveBit(List<byte> values, string what)
    {
        var result = new List<byte>(values.Count * 5 / 8);
        int accumulator = 0, bits = 0;
        foreach (var v in values)
        {
            accumulator = ((accumulator << 5) | v) & 0xfff;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result.Add((byte)((accumulator >> bits) & 0xff));
            }
        }

        // BIP 173: at most 4 bits of padding, and they must be zero.
        if (bits >= 5 || (accumulator & ((1 << bits) - 1)) != 0)
        {
            throw new KtizoException($"{what}: the Bech32 data has non-zero or excess padding");
        }

        return [.. result];
    }

    private static IEnumerable<byte> ExpandHrp(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint check = 1;
        foreach (var v in values)
        {
            var top = check >> 25;
            check = ((check & 0x1ffffff) << 5) ^ v;
            for (var i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0)
                {
                    check ^= Generator[i];
                }
            }
        }

        return check;
    }

    private static byte[] Checksum(string hrp, List<byte> values)
    {
        var polymod = Polymod(ExpandHrp(hrp).Concat(values).Concat(new byte[6])) ^ 1;
        var checksum = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            checksum[i] = (byte)((polymod >> (5 * (5 - i))) & 31);
        }

        return checksum;
    }
}
