using System.Text;
using Ktizo.Core.Redaction;

namespace Ktizo.Testing.Redaction;

/// <summary>
/// A Talos patch, generated from redaction rules, that sets every value the rules name to a distinctive
/// fake secret (one document per document kind), with the list of those secrets: a test asserts that none
/// of them is shown, so a new table entry is covered the day it is added.
/// </summary>
public sealed class SecretPatch
{
    /// <summary>Identity fields a list item of this name carries beside its secret, as a real config would.</summary>
    private static readonly Dictionary<string, (string Key, string Value)> ListItemIdentity = new(StringComparer.Ordinal)
    {
        ["interfaces"] = ("interface", "eth9"),
        ["vlans"] = ("vlanId", "9"),
        ["keys"] = ("slot", "0"),
        ["peers"] = ("publicKey", "'not-secret-peer-public-key'"),
    };

    /// <summary>Document kinds Talos reads without a <c>name</c>.</summary>
    private static readonly HashSet<string> Unnamed = new(StringComparer.Ordinal) { "SideroLinkConfig" };

    private SecretPatch(string yaml, IReadOnlyList<string> secrets, IReadOnlyList<string> kinds)
    {
        Yaml = yaml;
        Secrets = secrets;
        Kinds = kinds;
    }

    /// <summary>The patch: plain block YAML, documents separated by <c>---</c>.</summary>
    public string Yaml { get; }

    /// <summary>Every fake secret in <see cref="Yaml"/>, one per rule.</summary>
    public IReadOnlyList<string> Secrets { get; }

    /// <summary>The <c>kind</c> of every document beside the v1alpha1 one.</summary>
    public IReadOnlyList<string> Kinds { get; }

    /// <summary>The value a query-parameter rule's URL keeps beside its secret parameter.</summary>
    public const string OtherQueryParameter = "grpc_tunnel=true";

    public static SecretPatch For(IEnumerable<RedactionRule> rules)
    {
        var documents = new Dictionary<string, Dictionary<string, object>>(StringComparer.Ordinal);
        var secrets = new List<string>();
        foreach (var rule in rules)
        {
            if (!documents.TryGetValue(rule.Document, out var root))
            {
                root = NewDocument(rule.Document);
                documents.Add(rule.Document, root);
            }

            var secret = $"SECRET-{secrets.Count + 1}-{rule.Document.Replace('/', '-')}-{rule.Path.Replace("[]", string.Empty, StringComparison.Ordinal).Replace('*', 'x')}";
            secrets.Add(secret);
            Set(root, rule.Segments, rule.QueryParameter is null ? secret : $"https://siderolink.test:443/?{rule.QueryParameter}={secret}&{OtherQueryParameter}");
        }

        var sb = new StringBuilder();
        foreach (var root in documents.Values)
        {
            sb.Append(sb.Length == 0 ? string.Empty : "---\n");
            Write(sb, root, 0);
        }

        var kinds = documents.Keys.Where(d => d != RedactionRule.V1Alpha1).Select(d => d.Split('/')[1]).ToList();
        return new SecretPatch(sb.ToString(), secrets, kinds);
    }

    private static Dictionary<string, object> NewDocument(string document)
    {
        if (document == RedactionRule.V1Alpha1)
        {
            return new() { ["version"] = "v1alpha1" };
        }

        var (apiVersion, kind) = (document.Split('/')[0], document.Split('/')[1]);
        var root = new Dictionary<string, object> { ["apiVersion"] = apiVersion, ["kind"] = kind };
        if (!Unnamed.Contains(kind))
        {
            root["name"] = "secret-test";
        }

        return root;
    }

    private static void Set(Dictionary<string, object> map, string[] segments, string value)
    {
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i] == "*" ? "secret-registry.test" : segments[i];
            if (segment.EndsWith("[]", StringComparison.Ordinal))
            {
                var name = segment[..^2];
                if (!map.TryGetValue(name, out var list))
                {
                    var item = new Dictionary<string, object>();
                    if (ListItemIdentity.TryGetValue(name, out var identity))
                    {
                        item[identity.Key] = identity.Value;
                    }

                    list = new List<Dictionary<string, object>> { item };
                    map[name] = list;
                }

                map = ((List<Dictionary<string, object>>)list)[0];
            }
            else
            {
                if (!map.TryGetValue(segment, out var child))
                {
                    child = new Dictionary<string, object>();
                    map[segment] = child;
                }

                map = (Dictionary<string, object>)child;
            }
        }

        map[segments[^1]] = $"'{value}'";
    }

    private static void Write(StringBuilder sb, Dictionary<string, object> map, int indent)
    {
        foreach (var (key, value) in map)
        {
            sb.Append(' ', indent).Append(key).Append(':');
            switch (value)
            {
                case string scalar:
                    sb.Append(' ').Append(scalar).Append('\n');
                    break;
                case Dictionary<string, object> child:
                    sb.Append('\n');
                    Write(sb, child, indent + 4);
                    break;
                case List<Dictionary<string, object>> list:
                    sb.Append('\n');
                    foreach (var item in list)
                    {
                        var itemText = new StringBuilder();
                        Write(itemText, item, indent + 6);
                        sb.Append(' ', indent + 4).Append("- ").Append(itemText.ToString().TrimStart(' '));
                    }

                    break;
            }
        }
    }
}
