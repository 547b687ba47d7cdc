using System.Globalization;
using System.Text.RegularExpressions;

namespace Ktizo.Core;

/// <summary>A Talos version as cluster.yaml spells it (<c>v1.13.9</c>, <c>1.13</c>): the minor, and the patch when given.</summary>
/// <param name="Minor"><c>1.13</c>: the key of the per-minor tables (redaction, live apply).</param>
/// <param name="Patch">Null when the version names only the minor.</param>
public sealed partial record TalosVersion(string Minor, int? Patch)
{
    /// <summary>The version, or null when <paramref name="text"/> is not one.</summary>
    public static TalosVersion? Parse(string? text)
    {
        var match = Pattern().Match(text ?? string.Empty);
        if (!match.Success)
        {
            return null;
        }

        var minor = $"{Number(match, "major")}.{Number(match, "minor")}";
        return new TalosVersion(minor, match.Groups["patch"].Success ? Number(match, "patch") : null);
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^v?(?<major>\d{1,3})\.(?<minor>\d{1,3})(\.(?<patch>\d{1,3}))?$")]
    private static partial Regex Pattern();
}
