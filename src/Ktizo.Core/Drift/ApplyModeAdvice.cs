using System.Text;
using Ktizo.Core.Redaction;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Drift;

/// <summary>
/// Which <c>talosctl apply-config --mode</c> a Talos administrator would pick to move a machine from one config to
/// another: <c>no-reboot</c> when every changed part is one the machine's Talos applies to a running machine
/// (<see cref="LiveApplyTable"/>, read from Talos's source), else <c>reboot</c>. docs/drift.md ("Which mode") explains
/// it. Pure: compares two configs' texts, no I/O.
/// </summary>
public static class ApplyModeAdvice
{
    public const string NoReboot = "no-reboot";
    public const string Reboot = "reboot";

    // Present when the config has the block: Talos copies the live machine.* (machine.features.*) fields only when
    // both configs have machine (machine.features), so adding or dropping the whole block is itself a reboot change.
    private const string Present = "(present)";

    /// <summary>The mode, every changed part (sorted), and the parts among them that need the reboot, by <paramref name="talosVersion"/>'s rule.</summary>
    public static ApplyAdvice Advise(string before, string after, string? talosVersion)
    {
        var table = LiveApplyTable.For(talosVersion);
        var a = Parts(before);
        var b = Parts(after);
        var changed = a.Keys.Union(b.Keys)
            .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y)
            .Order(StringComparer.Ordinal)
            .ToList();
        var needReboot = changed.Where(p => table.Find(p) is null).ToList();
        return new ApplyAdvice(needReboot.Count > 0 ? Reboot : NoReboot, changed, needReboot, table.Name, table.Note);
    }

    // Each part of a config by name, as canonical text: machine.<key> (machine.features.<key>), the other top-level keys of
    // the machine config document, and "document Kind/name" for each other document. Canonical as Talos compares them,
    // parsed: a mapping's key order does not count.
    private static Dictionary<string, string> Parts(string text)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in YamlDocuments.Parse(text, "config", out _))
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            var kind = Redactor.DocumentOf(root);
            if (kind == RedactionRule.V1Alpha1)
            {
                foreach (var (key, value) in root.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    if (name == "machine" && value is YamlMappingNode machine)
                    {
                        parts["machine"] = Present;
                        foreach (var (machineKey, machineValue) in machine.Children)
                        {
                            var sub = "machine." + ((YamlScalarNode)machineKey).Value;
                            if (sub == "machine.features" && machineValue is YamlMappingNode features)
                            {
                                parts[sub] = Present;
                                foreach (var (featureKey, featureValue) in features.Children)
                                {
                                    parts["machine.features." + ((YamlScalarNode)featureKey).Value] = Canon(featureValue);
                                }
                            }
                            else
                            {
                                parts[sub] = Canon(machineValue);
                            }
                        }
                    }
                    else
                    {
                        parts[name] = Canon(value);
                    }
                }
            }
            else
            {
                var documentName = root.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode s ? "/" + s.Value : string.Empty;
                var kindName = root.Children.TryGetValue(new YamlScalarNode("kind"), out var k) && k is YamlScalarNode ks ? ks.Value : kind ?? "unknown";
                parts[$"document {kindName}{documentName}"] = Canon(root);
            }
        }

        return parts;
    }

    private static string Canon(YamlNode node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(YamlNode node, StringBuilder text)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                text.Append('"').Append(scalar.Value?.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case YamlSequenceNode sequence:
                text.Append('[');
                foreach (var item in sequence.Children)
                {
                    Write(item, text);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case YamlMappingNode mapping:
                text.Append('{');
                foreach (var (key, value) in mapping.Children.OrderBy(c => (c.Key as YamlScalarNode)?.Value, StringComparer.Ordinal))
                {
                    Write(key, text);
                    text.Append(':');
                    Write(value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
        }
    }
}

/// <summary>What <see cref="ApplyModeAdvice.Advise"/> found.</summary>
/// <param name="Mode"><c>no-reboot</c> or <c>reboot</c>, as <c>talosctl apply-config --mode</c> spells them.</param>
/// <param name="Changed">Every changed part: <c>machine.install</c>, <c>cluster</c>, <c>document LinkConfig/eth0</c>, …</param>
/// <param name="NeedReboot">The changed parts a running machine does not take on without a reboot.</param>
/// <param name="Rule">Whose rule decided: <c>Talos v1.13</c>.</param>
/// <param name="RuleNote">Null when the cluster's Talos has a table; otherwise which table stands in for it.</param>
public sealed record ApplyAdvice(string Mode, IReadOnlyList<string> Changed, IReadOnlyList<string> NeedReboot, string Rule, string? RuleNote);
