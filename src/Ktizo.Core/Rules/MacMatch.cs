using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ktizo.Core.Rules;

/// <summary>The first one to five octets of a MAC (<c>52:54:00</c>, a vendor's OUI), any notation MACs take.</summary>
public readonly record struct MacPrefix(ulong Value, int Octets)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out MacPrefix prefix)
    {
        prefix = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Contains(':', StringComparison.Ordinal) ? text.Split(':')
            : text.Contains('-', StringComparison.Ordinal) ? text.Split('-')
            : text.Length % 2 == 0 ? Enumerable.Range(0, text.Length / 2).Select(i => text.Substring(i * 2, 2)).ToArray()
            : [];
        if (parts.Length is < 1 or > 5)
        {
            return false;
        }

        ulong value = 0;
        foreach (var part in parts)
        {
            if (part.Length != 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        prefix = new MacPrefix(value, parts.Length);
        return true;
    }

    public bool Contains(MacAddress mac) => mac.Value >> (8 * (6 - Octets)) == Value;

    public override string ToString()
    {
        var (value, octets) = (Value, Octets);
        return string.Join(':', Enumerable.Range(0, octets).Select(i => ((byte)(value >> (8 * (octets - 1 - i)))).ToString("x2", CultureInfo.InvariantCulture)));
    }
}

/// <summary>An inclusive range of MACs, <c>52:54:00:00:10:00-52:54:00:00:10:ff</c>.</summary>
public readonly record struct MacRange(MacAddress First, MacAddress Last)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out MacRange range)
    {
        range = default;
        // Hyphen notation would make the separator ambiguous: the range is split at its one '-' between two MACs.
        var at = text?.Length == 35 && text[17] == '-' ? 17 : text?.Length == 25 && text[12] == '-' ? 12 : -1;
        if (text is null || at < 0
            || !MacAddress.TryParse(text[..at], out var first)
            || !MacAddress.TryParse(text[(at + 1)..], out var last)
            || first.CompareTo(last) > 0)
        {
            return false;
        }

        range = new MacRange(first, last);
        return true;
    }

    public bool Contains(MacAddress mac) => mac.CompareTo(First) >= 0 && mac.CompareTo(Last) <= 0;

    public override string ToString() => $"{First}-{Last}";
}

/// <summary>
/// A SMBIOS uuid pattern: hex digits and '-', with '*' for any run and '?' for one character, any case
/// (<c>4c4c4544-*</c>). A glob, not a regular expression: matching is linear whatever the rule says.
/// </summary>
public sealed record UuidPattern(string Text)
{
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out UuidPattern? pattern)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !text.All(c => char.IsAsciiHexDigit(c) || c is '-' or '*' or '?'))
        {
            return false;
        }

        pattern = new UuidPattern(text.ToLowerInvariant());
        return true;
    }

    public bool Matches(string uuid) => Glob(Text, uuid.ToLowerInvariant());

    public override string ToString() => Text;

    // Iterative glob with one backtrack point: O(pattern × text) at worst.
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
