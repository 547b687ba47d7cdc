using System.Security.Cryptography;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Gatekeeper.Sync;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// A small stand-in for the core renderer, reading the same device files (<c>mac</c>, <c>hostname</c>,
/// <c>role</c>, <c>ip</c>, <c>status: rejected</c>) and producing a config that names the hostname and
/// address. The gatekeeper's tests exercise following git and serving, not Talos rendering, which
/// Ktizo.Core's own tests cover. A line <c>broken: …</c> makes the file invalid; a device whose file id
/// is unchanged reuses the previous bytes, as the real renderer does.
/// </summary>
public sealed class MiniRenderer : IConfigRenderer
{
    private int _renders;

    public int Renders => Volatile.Read(ref _renders);

    public RenderResult Render(IFileTree tree, RenderedSet? previous)
    {
        Interlocked.Increment(ref _renders);
        var errors = new List<Diagnostic>();
        if (tree.Read("inventory/cluster.yaml") is null)
        {
            errors.Add(new Diagnostic("KTZ001", "inventory/cluster.yaml is missing", new SourceLocation("inventory/cluster.yaml", 0, 0)));
        }

        var approved = new List<RenderedConfig>();
        var rejected = new List<RejectedDevice>();
        int rendered = 0, reused = 0;
        foreach (var path in tree.ListFiles("inventory/devices"))
        {
            var file = tree.Read(path)!;
            var fields = new Dictionary<string, (string Value, int Line)>();
            var lines = Encoding.UTF8.GetString(file.Content.Span).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                var colon = line.IndexOf(':');
                if (line.Length == 0 || line.StartsWith('#') || colon < 0)
                {
                    continue;
                }

                fields[line[..colon].Trim()] = (line[(colon + 1)..].Trim(), i + 1);
            }

            if (fields.TryGetValue("broken", out var broken))
            {
                errors.Add(new Diagnostic("KTZ100", $"broken: {broken.Value}", new SourceLocation(path, broken.Line, 1)));
                continue;
            }

            if (!fields.TryGetValue("mac", out var macText) || !MacAddress.TryParse(macText.Value, out var mac))
            {
                errors.Add(new Diagnostic("KTZ101", "mac is missing or malformed", new SourceLocation(path, 1, 1)));
                continue;
            }

            fields.TryGetValue("hostname", out var hostname);
            if (fields.TryGetValue("status", out var status) && status.Value == "rejected")
            {
                rejected.Add(new RejectedDevice(path, mac, hostname.Value, null));
                continue;
            }

            if (!fields.TryGetValue("ip", out var ipText) || !IpPrefix.TryParse(ipText.Value, out var ip))
            {
                errors.Add(new Diagnostic("KTZ102", "ip is missing or malformed", new SourceLocation(path, 1, 1)));
                continue;
            }

            var role = fields.TryGetValue("role", out var roleText) && roleText.Value == "controlplane" ? Role.ControlPlane : Role.Worker;
            var device = new Device(path, mac, hostname.Value ?? "node", role, ip, null, null, null, null, [], new Dictionary<string, string>(), [])
            {
                DeviceAuth = fields.TryGetValue("deviceAuth", out var auth) && DeviceAuthModes.TryParse(auth.Value, out var mode) ? mode : DeviceAuthMode.Off,
                DeviceAuthRearm = fields.TryGetValue("deviceAuthRearm", out var rearm) ? rearm.Value : null,
            };
            if (previous is not null && previous.Approved.TryGetValue(mac, out var before) && before.InputKey == file.Id)
            {
                approved.Add(before);
                reused++;
                continue;
            }

            var yaml = Encoding.UTF8.GetBytes(
                $"version: v1alpha1\nmachine:\n  type: {role.Name()}\n  network:\n    hostname: {device.Hostname}\n    interfaces:\n      - addresses: [{ip}]\n");
            approved.Add(new RenderedConfig(device, yaml, Convert.ToHexStringLower(SHA256.HashData(yaml)), file.Id));
            rendered++;
        }

        if (errors.Count > 0)
        {
            return new RenderResult(null, errors, new RenderStats(rendered, reused, TimeSpan.Zero));
        }

        var cluster = new Cluster("test", "https://10.0.5.10:6443", "v1.12.0", null, new ClusterDefaults(null, [], null, null));
        return new RenderResult(new RenderedSet(tree.Commit, cluster, approved, rejected), [], new RenderStats(rendered, reused, TimeSpan.Zero));
    }

    public static string DeviceFile(string mac, string hostname, string ip, string role = "worker") =>
        $"mac: {mac}\nhostname: {hostname}\nrole: {role}\nip: {ip}\n";

    public static string RejectedFile(string mac) => $"mac: {mac}\nstatus: rejected\nreason: not ours\n";

    public const string ClusterFile = "name: test\nendpoint: https://10.0.5.10:6443\ntalosVersion: v1.12.0\n";
}
