using System.Net;
using System.Text;
using Ktizo.Core.DeviceAuth;
using Ktizo.Core.Files;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Inventory;

/// <summary>Reads <c>inventory/</c> from a tree into the model, reporting every problem with its location.</summary>
public static class InventoryReader
{
    public const string ClusterFile = "inventory/cluster.yaml";
    public const string DevicesDirectory = "inventory/devices";

    /// <summary>Inventory files are small; anything bigger is a mistake or an attack, and is not parsed.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly string[] ClusterKeys = ["name", "endpoint", "talosVersion", "kubernetesVersion", "vip", "boot", "defaults", "deviceAuth"];
    private static readonly string[] BootKeys = ["haltIfInstalled"];
    private static readonly string[] DefaultsKeys = ["gateway", "nameservers", "installDisk", "mtu"];
    private static readonly string[] DeviceKeys =
        ["mac", "hostname", "role", "ip", "gateway", "installDisk", "interface", "mtu", "nameservers", "labels", "patches", "status", "reason", "deviceAuth", "deviceAuthRearm"];

    /// <param name="schemas">When given, a <c>talosVersion</c> it has no schema for is an error naming the versions it has.</param>
    public static Cluster? ReadCluster(IFileTree tree, Diagnostics diagnostics, Rendering.IConfigSchemas? schemas = null)
    {
        var map = ReadMapping(tree, ClusterFile, diagnostics, required: true);
        if (map is null)
        {
            return null;
        }

        var before = diagnostics.Count;
        var (name, nameNode) = map.Scalar("name", required: true);
        if (name is not null && !ValueRules.ClusterName().IsMatch(name))
        {
            diagnostics.Add("invalid-cluster-name", $"cluster name '{Printable(name)}' must be lower-case letters, digits and '-' (a DNS label)", ClusterFile, nameNode);
        }

        var (endpoint, endpointNode) = map.Scalar("endpoint", required: true);
        if (endpoint is not null && !ValueRules.IsEndpoint(endpoint))
        {
            diagnostics.Add("invalid-endpoint", $"endpoint '{Printable(endpoint)}' must be an https URL with a host and port and nothing after it, e.g. https://10.0.5.10:6443", ClusterFile, endpointNode);
        }

        var talos = Version(map, "talosVersion", required: true);
        if (talos is not null && schemas is not null && schemas.For(talos) is null)
        {
            diagnostics.Add("unsupported-talos-version", $"talosVersion {talos} has no Talos config schema in this Ktizo; supported: {schemas.Supported} (or pass --schema with the config.schema.json of that release)", ClusterFile, map.Get("talosVersion"));
        }

        var kubernetes = Version(map, "kubernetesVersion", required: false);
        var vip = Address(map, "vip");
        var boot = map.Mapping("boot", BootKeys) is { } bootMap ? ReadBoot(bootMap) : ClusterBoot.Default;

        var defaultsMap = map.Mapping("defaults", DefaultsKeys);
        var gateway = defaultsMap is null ? null : Address(defaultsMap, "gateway");
        var nameservers = defaultsMap is null ? [] : Nameservers(defaultsMap);
        var disk = defaultsMap is null ? null : InstallDisk(defaultsMap);
        var mtu = defaultsMap is null ? null : Mtu(defaultsMap);
        var deviceAuth = DeviceAuth(map);

        if (diagnostics.Count > before || name is null || endpoint is null || talos is null)
        {
            return null;
        }

        return new Cluster(name, endpoint, talos, kubernetes, new ClusterDefaults(gateway?.ToString(), nameservers, disk, mtu))
        {
            Vip = vip,
            VipAt = Diagnostics.At(ClusterFile, map.Get("vip")),
            Boot = boot,
            DeviceAuth = deviceAuth ?? DeviceAuthMode.Off,
        };
    }

    private static ClusterBoot ReadBoot(MappingReader map)
    {
        var (value, node) = map.Scalar("haltIfInstalled", required: false);
        switch (value)
        {
            case null or "true":
                return ClusterBoot.Default;
            case "false":
                return new ClusterBoot(HaltIfInstalled: false);
            default:
                map.Diagnostics.Add("invalid-boolean", $"boot.haltIfInstalled '{Printable(value)}' must be true or false", map.File, node);
                return ClusterBoot.Default;
        }
    }

    /// <summary>
    /// Reads every device file. Devices that fail a per-file check are left out of the result (and reported);
    /// cross-file rules (duplicates, subnets) are <see cref="InventoryRules"/>'s job.
    /// </summary>
    public static (List<Device> Approved, List<RejectedDevice> Rejected, List<DeviceSource> Sources) ReadDevices(
        IFileTree tree, Cluster? cluster, Diagnostics diagnostics)
    {
        var files = ReadDevices(tree, cluster, clusterId: null, diagnostics, previous: null);
        return (files.Approved, files.Rejected, files.Sources);
    }

    /// <summary>
    /// Reads every device file, reusing <paramref name="previous"/>'s outcome for a file whose id, cluster file
    /// and named patches are unchanged: its bytes are then not even read. Only outcomes of a clean read are
    /// ever in <paramref name="previous"/>, so reuse never hides an error.
    /// </summary>
    /// <param name="clusterId">The cluster file's id; null (no reuse) when the cluster file is missing or invalid.</param>
    public static DeviceFiles ReadDevices(
        IFileTree tree, Cluster? cluster, string? clusterId, Diagnostics diagnostics,
        IReadOnlyDictionary<string, ParsedDeviceFile>? previous)
    {
        var result = new DeviceFiles();
        var reuse = cluster is not null && clusterId is not null ? previous : null;
        foreach (var path in tree.ListFilesRecursive(DevicesDirectory))
        {
            var name = path[(DevicesDirectory.Length + 1)..];
            if (name.StartsWith('.') || name.Equals("README.md", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.Contains('/') || !(name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal)))
            {
                diagnostics.Add("unexpected-file", "device files are YAML files directly under inventory/devices/ (name.yaml)", new SourceLocation(path, 0, 0));
                continue;
            }

            if (reuse is not null && reuse.TryGetValue(path, out var old) && IsUnchanged(old, tree, path, clusterId!))
            {
                result.Add(path, old);
                continue;
            }

            var file = tree.Read(path);
            var map = ReadMapping(file, path, diagnostics, required: true);
            if (map is not null && ReadDevice(tree, map, cluster, diagnostics) is { } parsed)
            {
                result.Add(path, parsed with { FileId = file!.Id, ClusterId = clusterId ?? string.Empty });
            }
        }

        return result;
    }

    private static bool IsUnchanged(ParsedDeviceFile old, IFileTree tree, string path, string clusterId)
    {
        if (old.ClusterId != clusterId || tree.FileId(path) != old.FileId)
        {
            return false;
        }

        foreach (var patch in old.Patches)
        {
            if (tree.FileId(patch) is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <returns>The file's outcome (ids left empty for the caller), or null when it has an error.</returns>
    private static ParsedDeviceFile? ReadDevice(IFileTree tree, MappingReader map, Cluster? cluster, Diagnostics diagnostics)
    {
        var file = map.File;
        var before = diagnostics.Count;

        var (macText, macNode) = map.Scalar("mac", required: true);
        MacAddress mac = default;
        if (macText is not null && !MacAddress.TryParse(macText, out mac))
        {
            diagnostics.Add("invalid-mac", $"'{Printable(macText)}' is not a MAC address: write six hex octets, e.g. 52:54:00:12:34:56 (colons, hyphens or bare hex, any case)", file, macNode);
        }

        var (status, statusNode) = map.Scalar("status", required: false);
        var isRejected = status == "rejected";
        if (status is not null && status is not ("rejected" or "approved"))
        {
            diagnostics.Add("invalid-status", $"status '{Printable(status)}' is not known: use 'rejected', or leave it out for an approved device", file, statusNode);
        }

        var (hostname, hostnameNode) = map.Scalar("hostname", required: !isRejected);
        if (hostname is not null && !ValueRules.Hostname().IsMatch(hostname))
        {
            diagnostics.Add("invalid-hostname", $"hostname '{Printable(hostname)}' must be an RFC 1123 label: 1–63 lower-case letters, digits or '-', starting and ending with a letter or digit", file, hostnameNode);
        }

        var (reason, reasonNode) = map.Scalar("reason", required: false);
        if (reason is not null && !ValueRules.OneLine().IsMatch(reason))
        {
            diagnostics.Add("invalid-reason", "reason must be one line of at most 200 characters", file, reasonNode);
        }

        var (roleText, roleNode) = map.Scalar("role", required: !isRejected);
        Role role = default;
        if (roleText is not null && !Roles.TryParse(roleText, out role))
        {
            var hint = Suggest.Closest(roleText, ["controlplane", "worker"]) is { } s ? $"did you mean '{s}'? " : string.Empty;
            diagnostics.Add("unknown-role", $"role '{Printable(roleText)}' is not known: {hint}use 'controlplane' or 'worker'", file, roleNode);
        }

        var (ipText, ipNode) = map.Scalar("ip", required: !isRejected);
        IpPrefix ip = default;
        if (ipText is not null && !IpPrefix.TryParse(ipText, out ip))
        {
            diagnostics.Add("invalid-ip", $"ip '{Printable(ipText)}' must be an address with its prefix length, e.g. 10.0.5.21/24", file, ipNode);
        }

        var gateway = Address(map, "gateway");
        var disk = InstallDisk(map);
        var (iface, ifaceNode) = map.Scalar("interface", required: false);
        if (iface is not null && !ValueRules.InterfaceName().IsMatch(iface))
        {
            diagnostics.Add("invalid-interface", $"interface '{Printable(iface)}' must be a Linux interface name: 1–15 letters, digits, '_', '.' or '-'", file, ifaceNode);
        }

        var mtu = Mtu(map);
        var nameservers = Nameservers(map);
        var labels = Labels(map);
        var patches = Patches(map, tree);
        var deviceAuth = DeviceAuth(map);
        var (rearm, rearmNode) = map.Scalar("deviceAuthRearm", required: false);
        if (rearm is not null && (rearm.Trim().Length == 0 || !ValueRules.OneLine().IsMatch(rearm)))
        {
            diagnostics.Add("invalid-device-auth-rearm", "deviceAuthRearm must be one non-empty line of at most 200 characters, e.g. '2026-12-05 reinstall after disk swap'", file, rearmNode);
        }

        if (diagnostics.Count > before || macText is null)
        {
            return null;
        }

        var source = new DeviceSource(
            file, mac, Diagnostics.At(file, macNode), hostname, Diagnostics.At(file, hostnameNode),
            isRejected ? null : ip, Diagnostics.At(file, ipNode), gateway, Diagnostics.At(file, map.Get("gateway")));
        if (isRejected)
        {
            return new ParsedDeviceFile(string.Empty, string.Empty, source, null, new RejectedDevice(file, mac, hostname, reason), patches);
        }

        if (hostname is null || roleText is null || ipText is null)
        {
            return new ParsedDeviceFile(string.Empty, string.Empty, source, null, null, patches);
        }

        var defaults = cluster?.Defaults;
        var gatewayResolved = gateway ?? (defaults?.Gateway is { } g ? IPAddress.Parse(g) : null);
        var device = new Device(
            file, mac, hostname, role, ip, gatewayResolved,
            disk ?? defaults?.InstallDisk,
            iface,
            mtu ?? defaults?.Mtu,
            nameservers.Count > 0 ? nameservers : defaults?.Nameservers ?? [],
            labels,
            patches)
        {
            DeviceAuth = deviceAuth ?? cluster?.DeviceAuth ?? DeviceAuthMode.Off,
            DeviceAuthRearm = rearm,
        };
        return new ParsedDeviceFile(string.Empty, string.Empty, source, device, null, patches);
    }

    private static MappingReader? ReadMapping(IFileTree tree, string path, Diagnostics diagnostics, bool required) =>
        ReadMapping(tree.Read(path), path, diagnostics, required);

    /// <param name="keys">The keys the file may have; by default those of the cluster file or a device file, by path.</param>
    internal static MappingReader? ReadMapping(TreeFile? file, string path, Diagnostics diagnostics, bool required, string[]? keys = null)
    {
        if (file is null)
        {
            if (required)
            {
                diagnostics.Add("missing-file", $"{path} is missing: every inventory needs one (see docs/inventory.md)", new SourceLocation(path, 0, 0));
            }

            return null;
        }

        if (!TryDecode(file, diagnostics, out var text))
        {
            return null;
        }

        // Here, where a file is read anyway: an unchanged device file is not read again, and it passed before.
        ClusterSecrets.SecretScan.CheckText(path, text, diagnostics);
        var documents = YamlDocuments.Parse(text, path, out var errors);
        if (errors.Count > 0)
        {
            diagnostics.AddRange(errors);
            return null;
        }

        if (documents.Count != 1 || documents[0].RootNode is not YamlMappingNode root)
        {
            diagnostics.Add("not-a-mapping", "the file must hold one YAML mapping of keys to values", new SourceLocation(path, documents.Count > 0 ? (int)documents[0].RootNode.Start.Line : 1, 1));
            return null;
        }

        return new MappingReader(root, path, keys ?? (path == ClusterFile ? ClusterKeys : DeviceKeys), diagnostics);
    }

    /// <summary>Strict UTF-8 with a size cap, shared by every reader of repository files.</summary>
    public static bool TryDecode(TreeFile file, Diagnostics diagnostics, out string text)
    {
        text = string.Empty;
        if (file.Content.Length > MaxFileBytes)
        {
            diagnostics.Add("file-too-large", $"{file.Content.Length} bytes is over the {MaxFileBytes}-byte limit for repository files", new SourceLocation(file.Path, 0, 0));
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, true).GetString(file.Content.Span);
        }
        catch (DecoderFallbackException)
        {
            diagnostics.Add("invalid-encoding", "the file is not valid UTF-8", new SourceLocation(file.Path, 0, 0));
            return false;
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return true;
    }

    private static string? Version(MappingReader map, string key, bool required)
    {
        var (value, node) = map.Scalar(key, required);
        if (value is not null && !ValueRules.Version().IsMatch(value))
        {
            map.Diagnostics.Add("invalid-version", $"{key} '{Printable(value)}' must be a version such as v1.13.9", map.File, node);
            return null;
        }

        return value;
    }

    private static IPAddress? Address(MappingReader map, string key)
    {
        var (value, node) = map.Scalar(key, required: false);
        if (value is null)
        {
            return null;
        }

        if (!IPAddress.TryParse(value, out var address) || value.Contains('/') || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && value.Count(c => c == '.') != 3))
        {
            map.Diagnostics.Add("invalid-ip", $"{key} '{Printable(value)}' must be a single IP address, e.g. 10.0.5.1", map.File, node);
            return null;
        }

        return address;
    }

    private static IReadOnlyList<string> Nameservers(MappingReader map)
    {
        var result = new List<string>();
        foreach (var (value, node) in map.ScalarList("nameservers"))
        {
            if (IPAddress.TryParse(value, out var address) && !value.Contains('/'))
            {
                result.Add(address.ToString());
            }
            else
            {
                map.Diagnostics.Add("invalid-ip", $"nameserver '{Printable(value)}' must be an IP address", map.File, node);
            }
        }

        return result;
    }

    private static string? InstallDisk(MappingReader map)
    {
        var (value, node) = map.Scalar("installDisk", required: false);
        if (value is not null && !ValueRules.InstallDisk().IsMatch(value))
        {
            map.Diagnostics.Add("invalid-install-disk", $"installDisk '{Printable(value)}' must be a device path such as /dev/sda or /dev/disk/by-id/…", map.File, node);
            return null;
        }

        return value;
    }

    private static DeviceAuthMode? DeviceAuth(MappingReader map)
    {
        var (value, node) = map.Scalar("deviceAuth", required: false);
        if (value is null)
        {
            return null;
        }

        if (!DeviceAuthModes.TryParse(value, out var mode))
        {
            var hint = Suggest.Closest(value, DeviceAuthModes.Names) is { } s ? $"did you mean '{s}'? " : string.Empty;
            map.Diagnostics.Add("invalid-device-auth", $"deviceAuth '{Printable(value)}' is not known: {hint}use 'off', 'confirm' or 'first' (docs/device-auth.md)", map.File, node);
            return null;
        }

        return mode;
    }

    private static int? Mtu(MappingReader map)
    {
        var (value, node) = map.Scalar("mtu", required: false);
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, System.Globalization.NumberStyles.None, null, out var mtu) || mtu < 576 || mtu > 9216)
        {
            map.Diagnostics.Add("invalid-mtu", $"mtu '{Printable(value)}' must be a whole number from 576 to 9216", map.File, node);
            return null;
        }

        return mtu;
    }

    internal static IReadOnlyDictionary<string, string> Labels(MappingReader map)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var node = map.Get("labels");
        if (node is null)
        {
            return labels;
        }

        if (node is not YamlMappingNode mapping)
        {
            map.Diagnostics.Add("invalid-type", "'labels' must be a mapping of label names to values", map.File, node);
            return labels;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!ValueRules.LabelKey().IsMatch(key))
            {
                map.Diagnostics.Add("invalid-label", $"label name '{Printable(key)}' is not a Kubernetes label name (optional prefix/, then 1–63 of [A-Za-z0-9-_.])", map.File, keyNode);
                continue;
            }

            if (valueNode is not YamlScalarNode { Value: { } value } || !ValueRules.LabelValue().IsMatch(value))
            {
                map.Diagnostics.Add("invalid-label", $"label '{key}' must have a Kubernetes label value: at most 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit", map.File, valueNode);
                continue;
            }

            labels[key] = value;
        }

        return labels;
    }

    internal static IReadOnlyList<string> Patches(MappingReader map, IFileTree tree)
    {
        var result = new List<string>();
        foreach (var (value, node) in map.ScalarList("patches"))
        {
            if (!Templates.TemplateSet.IsPatchPath(value))
            {
                map.Diagnostics.Add("invalid-patch-path", $"patch '{Printable(value)}' must be a path under {Templates.TemplateSet.PatchesDirectory}/ ending in .yaml, without '..'", map.File, node);
                continue;
            }

            if (tree.FileId(value) is null)
            {
                map.Diagnostics.Add("missing-file", $"patch {value} does not exist in this commit", map.File, node);
                continue;
            }

            result.Add(value);
        }

        return result;
    }

    /// <summary>Shows a bad value in a message without letting it break the message's own line.</summary>
    internal static string Printable(string value)
    {
        var shown = value.Length > 80 ? value[..80] + "…" : value;
        return shown.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
    }
}

/// <summary>Where a device's identifying values were written, for cross-file checks that point at the right line.</summary>
public sealed record DeviceSource(
    string File,
    MacAddress Mac,
    SourceLocation MacAt,
    string? Hostname,
    SourceLocation HostnameAt,
    IpPrefix? Ip,
    SourceLocation IpAt,
    IPAddress? Gateway,
    SourceLocation GatewayAt);
