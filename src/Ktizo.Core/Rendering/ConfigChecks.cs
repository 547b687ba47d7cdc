using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Checks on a device's merged config that catch template mistakes before a machine does:
/// the things Talos would refuse, and the one it would accept but should not (CA keys on a worker).
/// </summary>
internal static class ConfigChecks
{
    /// <summary>Keys that hold private keys of the cluster's CAs; only control-plane nodes may carry them.</summary>
    private static readonly string[][] CaKeys =
    [
        ["machine", "ca", "key"],
        ["cluster", "ca", "key"],
        ["cluster", "aggregatorCA", "key"],
        ["cluster", "serviceAccount", "key"],
        ["cluster", "etcd", "ca", "key"],
    ];

    public static void Check(IReadOnlyList<YamlDocument> documents, Device device, List<Diagnostic> errors)
    {
        var at = new SourceLocation(device.File, 1, 1);
        void Fail(string code, string message) => errors.Add(new Diagnostic(code, $"rendered config for {device.Hostname}: {message}", at));

        var v1 = documents.Select(d => d.RootNode as YamlMappingNode).FirstOrDefault(m => m is not null && Text(m, "version") == "v1alpha1" && Text(m, "kind") is null);
        if (v1 is null)
        {
            Fail("config-version", "no document with 'version: v1alpha1'; the base template must be a Talos machine config");
            return;
        }

        var type = Text(v1, "machine", "type");
        if (type != device.Role.Name())
        {
            Fail("config-machine-type", $"machine.type is '{type ?? "(unset)"}' but the device's role is '{device.Role.Name()}'");
        }

        var hostnameConfig = documents.Select(d => d.RootNode as YamlMappingNode).FirstOrDefault(m => m is not null && Text(m, "kind") == "HostnameConfig");
        var legacyHostname = Text(v1, "machine", "network", "hostname");
        var hostname = hostnameConfig is null ? legacyHostname : Text(hostnameConfig, "hostname");
        if (hostnameConfig is not null && legacyHostname is not null)
        {
            Fail("config-hostname", "both a HostnameConfig document and machine.network.hostname are set; Talos refuses that, keep one");
        }
        else if (hostname != device.Hostname)
        {
            Fail("config-hostname", $"the hostname is '{hostname ?? "(unset)"}' but the device file says '{device.Hostname}'");
        }
        else if (hostnameConfig is not null && Text(hostnameConfig, "auto") is { } auto && auto != "off")
        {
            Fail("config-hostname", $"HostnameConfig sets a hostname with 'auto: {auto}'; Talos needs 'auto: off' beside 'hostname'");
        }

        // Talos: an empty disk is no disk (types/v1alpha1/v1alpha1_validation.go, "either install disk or diskSelector").
        if (Text(v1, "machine", "install", "disk") is null or "" && Node(v1, "machine", "install", "diskSelector") is null)
        {
            Fail("config-install-disk", "neither machine.install.disk nor machine.install.diskSelector is set; set installDisk in the device file or in cluster.yaml defaults");
        }

        var endpoint = Text(v1, "cluster", "controlPlane", "endpoint");
        if (endpoint is null || !ValueRules.IsEndpoint(endpoint))
        {
            Fail("config-endpoint", $"cluster.controlPlane.endpoint '{endpoint ?? "(unset)"}' is not an https URL");
        }

        if (device.Role == Role.Worker)
        {
            foreach (var path in CaKeys)
            {
                if (Text(v1, path) is { Length: > 0 })
                {
                    Fail("config-worker-secret", $"{string.Join('.', path)} is set, but a worker must not hold a CA's private key");
                }
            }
        }
    }

    internal static YamlNode? Node(YamlMappingNode root, params string[] path)
    {
        YamlNode? node = root;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    internal static string? Text(YamlMappingNode root, params string[] path) =>
        Node(root, path) is YamlScalarNode { Value: { } v } s && !(s.Style == YamlDotNet.Core.ScalarStyle.Plain && v is "" or "~" or "null") ? v : null;
}
