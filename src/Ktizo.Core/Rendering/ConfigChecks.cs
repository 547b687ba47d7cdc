using System.Net;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Checks on a device's merged config that catch template mistakes before a machine does:
/// the things Talos would refuse, and the one it would accept but should not (CA keys on a worker).
/// Those Talos refuses follow its <c>Validate()</c> methods, each cited at siderolabs/talos v1.13.9 with the
/// file and line of the error it raises (docs/inventory.md lists them).
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

        // v1alpha1/v1alpha1_validation.go:111 "either install disk or diskSelector should be defined": an empty
        // disk is no disk, and an empty selector gives Talos no matcher, so it counts as none.
        if (Text(v1, "machine", "install", "disk") is null or "" && Node(v1, "machine", "install", "diskSelector") is not YamlMappingNode { Children.Count: > 0 })
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
            // v1alpha1/v1alpha1_validation.go:169 and :178 refuse machine.ca.key and cluster.ca.key; the other CA keys are ours.
            foreach (var path in CaKeys)
            {
                if (Text(v1, path) is { Length: > 0 })
                {
                    Fail("config-worker-secret", $"{string.Join('.', path)} is set, but a worker must not hold a CA's private key");
                }
            }

            // v1alpha1/v1alpha1_validation.go:437 "etcd config is only allowed on control plane machines".
            if (Node(v1, "cluster", "etcd") is YamlMappingNode)
            {
                Fail("config-worker-etcd", "cluster.etcd is set, but Talos allows etcd settings only on control-plane nodes; patch them for the controlplane role");
            }
        }
        else if (Text(v1, "machine", "ca", "key") is null)
        {
            // v1alpha1/v1alpha1_validation.go:152 "issuing CA key is required for controlplane nodes".
            Fail("config-controlplane-ca", "machine.ca.key is not set, but Talos requires the issuing CA's key on a control-plane node");
        }

        foreach (var document in documents.Select(d => d.RootNode).OfType<YamlMappingNode>())
        {
            switch (Text(document, "kind"))
            {
                case "Layer2VIPConfig":
                    CheckLayer2Vip(document, Fail);
                    break;
                case "LinkConfig":
                    CheckLink(document, Fail);
                    break;
                case "LinkAliasConfig":
                    CheckLinkAlias(document, Fail);
                    break;
            }
        }
    }

    /// <summary>network/layer2_vip.go:112 "name must be a valid IP address", :116 "link must be specified".</summary>
    private static void CheckLayer2Vip(YamlMappingNode document, Action<string, string> fail)
    {
        var name = Text(document, "name");
        if (name is null || !IsAddress(name))
        {
            fail("config-vip", $"Layer2VIPConfig name '{name ?? "(unset)"}' must be an IP address (the shared address itself); set vip: in inventory/cluster.yaml");
        }

        if (Text(document, "link") is null)
        {
            fail("config-vip", $"Layer2VIPConfig '{name}' has no link: Talos needs the link the address is announced on");
        }
    }

    /// <summary>
    /// network/link.go:258 "address %d must be a valid IP prefix" (and :260 "… a valid IP address" for 0.0.0.0/::),
    /// :270 "route %d gateway must be a valid IP address".
    /// </summary>
    private static void CheckLink(YamlMappingNode document, Action<string, string> fail)
    {
        var name = Text(document, "name") ?? "(unnamed)";
        var i = 0;
        foreach (var item in Items(document, "addresses"))
        {
            var address = item is YamlMappingNode entry ? Text(entry, "address") : null;
            if (!IpPrefix.TryParse(address, out var prefix) || IsUnspecified(prefix.Address))
            {
                fail("config-link-address", $"LinkConfig '{name}' addresses[{i}].address '{address ?? "(unset)"}' must be an address with its prefix length, e.g. 10.0.5.11/24");
            }

            i++;
        }

        i = 0;
        foreach (var item in Items(document, "routes"))
        {
            if (item is YamlMappingNode route && Text(route, "gateway") is { } gateway && (!IsAddress(gateway) || IsUnspecified(IPAddress.Parse(gateway))))
            {
                fail("config-link-route", $"LinkConfig '{name}' routes[{i}].gateway '{gateway}' must be an IP address");
            }

            i++;
        }
    }

    /// <summary>network/link_alias.go:171 "link selector is required" (a name is required too, :158).</summary>
    private static void CheckLinkAlias(YamlMappingNode document, Action<string, string> fail)
    {
        var name = Text(document, "name");
        if (name is null)
        {
            fail("config-link-alias", "a LinkAliasConfig has no name");
        }

        if (Node(document, "selector") is not YamlMappingNode selector || Text(selector, "match") is null)
        {
            fail("config-link-alias", $"LinkAliasConfig '{name}' has no selector.match: Talos needs the expression that finds the link");
        }
    }

    private static IEnumerable<YamlNode> Items(YamlMappingNode document, string key) =>
        Node(document, key) is YamlSequenceNode list ? list.Children : [];

    /// <summary>An address as Go's netip.ParseAddr takes it: written out in full, no prefix, no brackets.</summary>
    private static bool IsAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3)
        && !text.Contains('[') && !text.Contains('/');

    private static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

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
