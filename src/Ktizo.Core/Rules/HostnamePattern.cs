using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rules;

/// <summary>
/// A rule's <c>hostname:</c>: literal text around one <c>{n}</c> (or <c>{n:02}</c>, zero-padded to two digits),
/// <c>worker-{n:02}</c> → <c>worker-01</c>, <c>worker-02</c>, …. Numbers start at 1; the lowest free one is taken.
/// </summary>
public sealed partial record HostnamePattern(string Prefix, string Suffix, int Width)
{
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out HostnamePattern? pattern)
    {
        pattern = null;
        var m = text is null ? Match.Empty : Shape().Match(text);
        if (!m.Success)
        {
            return false;
        }

        var width = m.Groups["width"].Success ? int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture) : 1;
        var candidate = new HostnamePattern(m.Groups["prefix"].Value, m.Groups["suffix"].Value, width);
        // The first name must be a hostname: this catches a leading or trailing '-' and an over-long name.
        if (width is < 1 or > 6 || !ValueRules.Hostname().IsMatch(candidate.Format(1)))
        {
            return false;
        }

        pattern = candidate;
        return true;
    }

    public string Format(long n) => Prefix + n.ToString(CultureInfo.InvariantCulture).PadLeft(Width, '0') + Suffix;

    /// <summary>The name with the lowest number not in <paramref name="taken"/>, or null when no valid name is left.</summary>
    public string? NextFree(IReadOnlySet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        // Among taken.Count + 1 numbers one is free (pigeonhole), so the loop is bounded.
        for (long n = 1; n <= taken.Count + 1; n++)
        {
            var name = Format(n);
            if (!ValueRules.Hostname().IsMatch(name))
            {
                return null;
            }

            if (!taken.Contains(name))
            {
                return name;
            }
        }

        return null;
    }

    public override string ToString() => Width > 1 ? $"{Prefix}{{n:0{Width}}}{Suffix}" : $"{Prefix}{{n}}{Suffix}";

    [GeneratedRegex(@"^(?<prefix>[a-z0-9-]{0,50})\{n(:0(?<width>[1-6]))?\}(?<suffix>[a-z0-9-]{0,50})$")]
    private static partial Regex Shape();
}
