using Ktizo.Core.Inventory;
using Scriban.Runtime;

namespace Ktizo.Core.Templates;

/// <summary>
/// What a patch template sees: <c>device</c>, <c>cluster</c> and the <c>quote</c> function. Names are
/// snake_case, Scriban's convention. Every value has passed validation, so none can break the YAML it is
/// written into; <c>quote</c> is there so templates can say "this is a string" whatever it contains.
/// </summary>
public static class TemplateModel
{
    /// <summary>The cluster part, built once per render and shared (read-only) by every device.</summary>
    public static ScriptObject ForCluster(Cluster cluster)
    {
        var o = new ScriptObject
        {
            ["name"] = cluster.Name,
            ["endpoint"] = cluster.Endpoint,
            ["talos_version"] = cluster.TalosVersion,
            ["kubernetes_version"] = cluster.KubernetesVersion,
            ["vip"] = cluster.Vip?.ToString(),
        };
        o.IsReadOnly = true;
        return o;
    }

    public static ScriptObject ForDevice(Device device)
    {
        var labels = new ScriptObject();
        foreach (var (key, value) in device.Labels)
        {
            labels[key] = value;
        }

        var nameservers = new ScriptArray(device.Nameservers.Count);
        foreach (var ns in device.Nameservers)
        {
            nameservers.Add(ns);
        }

        var o = new ScriptObject
        {
            ["mac"] = device.Mac.ToString(),
            ["hostname"] = device.Hostname,
            ["role"] = device.Role.Name(),
            ["ip"] = device.Ip.ToString(),
            ["address"] = device.Ip.Address.ToString(),
            ["prefix"] = device.Ip.PrefixLength,
            ["gateway"] = device.Gateway?.ToString(),
            ["install_disk"] = device.InstallDisk,
            ["interface"] = device.Interface,
            ["mtu"] = device.Mtu,
            ["nameservers"] = nameservers,
            ["labels"] = labels,
            ["file"] = device.File,
        };
        o.IsReadOnly = true;
        return o;
    }

    /// <summary>
    /// A YAML double-quoted scalar: whatever the
    /// value holds, it stays one string.
    /// </summary>
    public static string Quote(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return Yaml.YamlWriter.DoubleQuoted(text);
    }
}
