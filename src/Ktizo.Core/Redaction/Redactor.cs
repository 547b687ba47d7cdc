using System.Text;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Redaction;

/// <summary>
/// Replaces, in parsed config documents, every value a <see cref="RedactionTable"/> names with
/// <see cref="Mask"/>, leaving every key and every other value where it was so a diff still reads.
/// </summary>
public static class Redactor
{
    /// <summary>
    /// What a secret reads as. Talos's <c>Redact</c> takes its replacement from the caller; this is the one
    /// Ktizo has always shown. (Talos writes it base64-encoded in its byte fields, the CA keys; here every
    /// field shows it plain, so a reader sees at once that it is redacted.)
    /// </summary>
    public const string Mask = "******";

    /// <summary>Redacts <paramref name="documents"/> in place.</summary>
    public static void Apply(IEnumerable<YamlDocument> documents, RedactionTable table)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(table);
        foreach (var document in documents)
        {
            if (document.RootNode is not YamlMappingNode root || DocumentOf(root) is not { } kind)
            {
                continue;
            }

            foreach (var rule in table.Rules)
            {
                if (rule.Document == kind)
                {
                    Walk(root, rule.Segments, 0, rule);
                }
            }
        }
    }

    /// <summary><c>v1alpha1</c> for the machine config document, <c>apiVersion/kind</c> for the others, else null.</summary>
    public static string? DocumentOf(YamlMappingNode root)
    {
        var kind = Scalar(root, "kind");
        if (kind is not null)
        {
            return $"{Scalar(root, "apiVersion")}/{kind}";
        }

        return Scalar(root, "version") == RedactionRule.V1Alpha1 ? RedactionRule.V1Alpha1 : null;
    }

    private static void Walk(YamlNode node, string[] segments, int depth, RedactionRule rule)
    {
        if (node is not YamlMappingNode map)
        {
            return;
        }

        var segment = segments[depth];
        var last = depth == segments.Length - 1;
        if (segment == "*")
        {
            foreach (var value in map.Children.Values)
            {
                Walk(value, segments, depth + 1, rule);
            }

            return;
        }

        var isList = segment.EndsWith("[]", StringComparison.Ordinal);
        var key = new YamlScalarNode(isList ? segment[..^2] : segment);
        if (!map.Children.TryGetValue(key, out var child))
        {
            return;
        }

        if (isList)
        {
            foreach (var item in (child as YamlSequenceNode)?.Children ?? [])
            {
                Walk(item, segments, depth + 1, rule);
            }
        }
        else if (!last)
        {
            Walk(child, segments, depth + 1, rule);
        }
        else if (Masked(child, rule) is { } masked)
        {
            map.Children[key] = masked;
        }
    }

    /// <summary>The node to put in place of <paramref name="value"/>, or null to leave it (nothing set, as Talos leaves it).</summary>
    private static YamlScalarNode? Masked(YamlNode value, RedactionRule rule)
    {
        if (value is not YamlScalarNode scalar)
        {
            // A mapping or list where Talos expects a string: Talos would refuse it, and nothing in it is shown.
            return new YamlScalarNode(Mask);
        }

        if (string.IsNullOrEmpty(scalar.Value) || YamlScalars.IsNull(scalar))
        {
            return null;
        }

        return new YamlScalarNode(rule.QueryParameter is null ? Mask : MaskQuery(scalar.Value, rule.QueryParameter));
    }

    /// <summary>
    /// <paramref name="url"/> with every value of <paramref name="parameter"/> in its query replaced. Keys are
    /// compared decoded and ignoring case, and both '&amp;' and ';' separate pairs: a superset of what Talos's
    /// URL parser sees as that parameter, so no spelling of it slips through.
    /// </summary>
    internal static string MaskQuery(string url, string parameter)
    {
        var start = url.IndexOf('?', StringComparison.Ordinal);
        if (start < 0)
        {
            return url;
        }

        var sb = new StringBuilder(url.Length).Append(url, 0, start + 1);
        var pairs = url[(start + 1)..];
        var from = 0;
        while (from <= pairs.Length)
        {
            var end = pairs.IndexOfAny(['&', ';'], from);
            var pair = pairs[from..(end < 0 ? pairs.Length : end)];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            if (string.Equals(Uri.UnescapeDataString(name.Replace('+', ' ')), parameter, StringComparison.OrdinalIgnoreCase))
            {
                sb.Append(name).Append('=').Append(Mask);
            }
            else
            {
                sb.Append(pair);
            }

            if (end < 0)
            {
                break;
            }

            sb.Append(pairs[end]);
            from = end + 1;
        }

        return sb.ToString();
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { } value } ? value : null;
}
