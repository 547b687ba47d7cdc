using System.Text;
using Ktizo.Core.Redaction;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Drift;

/// <summary>
/// Which <c>talosctl apply-config --mode</c> a Talos administrator would pick to move a machine from one config to
/// another: <c>no-reboot</c> when every changed part is one Talos applies to a running machine, else <c>reboot</c>.
/// The rule and its list are in docs/drift.md ("Which mode"); a part not on the list counts as needing a reboot,
/// the safe side. Pure: compares two configs' texts, no I/O.
/// </summary>
public static class ApplyModeAdvice
{
    public const string NoReboot = "no-reboot";
    public const string Reboot = "reboot";

    // Parts of the machine config document that a running machine takes on without a reboot.
    private static readonly HashSet<string> Live = new(StringComparer.Ordinal)
    {
        "debug", "cluster",
        "machine.time", "machine.certSANs", "machine.network", "machine.nodeLabels", "machine.nodeTaints", "machine.nodeAnnotations",
        "machine.sysfs", "machine.sysctls", "machine.logging", "machine.controlPlane", "machine.kubelet", "machine.registries",
        "machine.pods", "machine.seccompProfiles", "machine.udev",
        "machine.features.kubernetesTalosAPIAccess", "machine.features.kubePrism", "machine.features.hostDNS",
        "machine.features.imageCache", "machine.features.nodeAddressSortAlgorithm",
    };

    /// <summary>The mode, every changed part (sorted), and the parts among them that need the reboot.</summary>
    public static ApplyAdvice Advise(string before, string after)
    {
        var a = Parts(before);
        var b = Parts(after);
        var changed = a.Keys.Union(b.Keys)
            .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y)
            .Order(StringComparer.Ordinal)
            .ToList();
        var needReboot = changed.Where(p => !IsLive(p)).ToList();
        return new ApplyAdvice(needReboot.Count > 0 ? Reboot : NoReboot, changed, needReboot);
    }

    /// <summary>True when Talos applies a change of <paramref name="part"/> (as <see cref="ApplyAdvice.Changed"/> names it) without a reboot.</summary>
    public static bool IsLive(string part)
    {
        if (Live.Contains(part))
        {
            return true;
        }

        // Other documents (HostnameConfig, LinkConfig, ResolverConfig, …) apply live, except the ones that shape disks.
        if (part.StartsWith("document ", StringComparison.Ordinal))
        {
            var kind = part["document ".Length..].Split('/')[0];
            return !kind.EndsWith("VolumeConfig", StringComparison.Ordinal) && kind != "ZswapConfig";
        }

        return false;
    }

    // Each part of a config by name, as canonical text: machine.<key> (machine.features.<key>), the other top-level keys of
    // the machine config document, and "document Kind/name" for each other document.
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
                        foreach (var (machineKey, machineValue) in machine.Children)
                        {
                            var sub = "machine." + ((YamlScalarNode)machineKey).Value;
                            if (sub == "machine.features" && machineValue is YamlMappingNode features)
                            {
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
                foreach (var (key, value) in mapping.Children)
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
public sealed record ApplyAdvice(string Mode, IReadOnlyList<string> Changed, IReadOnlyList<string> NeedReboot);
