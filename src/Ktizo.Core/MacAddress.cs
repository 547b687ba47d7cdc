using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ktizo.Core;

/// <summary>
/// A 48-bit hardware address. Parsing accepts the notations machines and people actually send
/// (colon, hyphen or bare hex, any case); everything prints as lower-case colons, the form Talos uses.
/// </summary>
public readonly record struct MacAddress : IComparable<MacAddress>
{
    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    public ulong Value => _value;

    public static MacAddress FromValue(ulong value) =>
        value <= 0xFFFF_FFFF_FFFFUL ? new MacAddress(value) : throw new ArgumentOutOfRangeException(nameof(value));

    /// <summary>Accepts <c>52:54:00:12:34:56</c>, <c>52-54-00-12-34-56</c> and <c>525400123456</c>, any case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac) =>
        TryParse(text.AsSpan(), out mac) && text is not null;

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        char separator;
        if (text.Length == 12)
        {
            separator = '\0';
        }
        else if (text.Length == 17 && (text[2] == ':' || text[2] == '-'))
        {
            separator = text[2];
        }
        else
        {
            return false;
        }

        ulong value = 0;
        var stride = separator == '\0' ? 2 : 3;
        for (var octet = 0; octet < 6; octet++)
        {
            var at = octet * stride;
            // Mixed separators (52:54-00…) are a typo, not a notation.
            if (separator != '\0' && octet < 5 && text[at + 2] != separator)
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        mac = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address (expected six hex octets, e.g. 52:54:00:12:34:56).");

    /// <summary>Lower-case colons: <c>52:54:00:12:34:56</c>.</summary>
    public override string ToString() => Format(':');

    /// <summary>Lower-case hyphens, safe in file names on every system: <c>52-54-00-12-34-56</c>.</summary>
    public string ToFileName() => Format('-');

    private string Format(char separator) =>
        string.Create(17, (_value, separator), static (span, state) =>
        {
            const string hex = "0123456789abcdef";
            for (var octet = 0; octet < 6; octet++)
            {
                var b = (byte)(state._value >> (8 * (5 - octet)));
                span[octet * 3] = hex[b >> 4];
                span[(octet * 3) + 1] = hex[b & 0xF];
                if (octet < 5)
                {
                    span[(octet * 3) + 2] = state.separator;
                }
            }
        });

    public int CompareTo(MacAddress other) => _value.CompareTo(other._value);
}
