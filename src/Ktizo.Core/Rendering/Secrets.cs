using System.Text;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Redaction of the values Talos itself treats as secret (its own <c>Redact</c> list), for anything a
/// person reads: diffs, pull-request comments, the web page. Served configs are never redacted.
/// </summary>
public static class Secrets
{
    public const string Mask = "******";

    /// <summary>Paths from the v1alpha1 document's root; a '*' suffix matches any key ending in the rest.</summary>
    private static readonly string[][] Paths =
    [
        ["machine", "token"],
        ["machine", "ca", "key"],
        ["cluster", "secret"],
        ["cluster", "token"],
        ["cluster", "*EncryptionSecret"],
        ["cluster", "ca", "key"],
        ["cluster", "aggregatorCA", "key"],
        ["cluster", "serviceAccount", "key"],
        ["cluster", "etcd", "ca", "key"],
    ];

    /// <summary>The config's text with every secret value replaced by <see cref="Mask"/>.</summary>
    public static string Redact(ReadOnlySpan<byte> yaml)
    {
        var text = Encoding.UTF8.GetString(yaml);
        var documents = YamlDocuments.Parse(text, "rendered", out var errors);
        if (errors.Count > 0)
        {
            // Rendered configs always parse; if one ever did not, show nothing rather than risk a secret.
            return "# (config could not be parsed for redaction)\n";
        }

        foreach (var document in documents)
        {
            if (document.RootNode is YamlMappingNode root)
            {
                foreach (var path in Paths)
                {
                    Mask1(root, path, 0);
                }
            }
        }

        return Encoding.UTF8.GetString(YamlWriter.Write(documents));
    }

    private static void Mask1(YamlMappingNode map, string[] path, int depth)
    {
        var key = path[depth];
        foreach (var (keyNode, value) in map.Children.ToList())
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var matches = key.StartsWith('*') ? name.EndsWith(key[1..], StringComparison.Ordinal) : name == key;
            if (!matches)
            {
                continue;
            }

            if (depth == path.Length - 1)
            {
                if (value is YamlScalarNode { Value.Length: > 0 })
                {
                    map.Children[keyNode] = new YamlScalarNode(Mask);
                }
            }
            else if (value is YamlMappingNode child)
            {
                Mask1(child, path, depth + 1);
            }
        }
    }
}
