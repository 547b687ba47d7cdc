using Ktizo.Core.Files;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Validation;

/// <summary>A test per validation error: each asserts the code, the location and the message.</summary>
public class ValidationErrorTests
{
    private const string Worker = "inventory/devices/worker-01.yaml";
    private const string Cp = "inventory/devices/cp-01.yaml";
    private const string NewDevice = "inventory/devices/worker-09.yaml";

    private static string DeviceYaml(string mac = "52:54:00:00:05:29", string hostname = "worker-09", string role = "worker", string ip = "10.0.5.29/24", string extra = "") =>
        $"mac: {mac}\nhostname: {hostname}\nrole: {role}\nip: {ip}\n{extra}";

    private static readonly ValidationCase[] AllCases =
    [
        new("yaml syntax", t => t.Add(NewDevice, "mac: [52:54:00:00:05:29\nhostname: worker-09\n"), "yaml-syntax", NewDevice, 1, 6, "malformed YAML"),
        new("unknown key with suggestion", t => t.Add(NewDevice, DeviceYaml(extra: "hostnmae: x\n")), "unknown-key", NewDevice, 5, 1, "unknown key 'hostnmae': did you mean 'hostname'?"),
        new("missing required field", t => t.Add(NewDevice, "mac: 52:54:00:00:05:29\nhostname: worker-09\nrole: worker\n"), "missing-field", NewDevice, 1, 1, "required field 'ip' is missing"),
        new("malformed MAC", t => t.Add(NewDevice, DeviceYaml(mac: "52:54:00:00:05")), "invalid-mac", NewDevice, 1, 6, "'52:54:00:00:05' is not a MAC address"),
        new("MAC with mixed separators", t => t.Add(NewDevice, DeviceYaml(mac: "52:54-00:00:05:29")), "invalid-mac", NewDevice, 1, 6, "is not a MAC address"),
        new("duplicate MAC in another notation", t => t.Add(NewDevice, DeviceYaml(mac: "525400000521")), "duplicate-mac", NewDevice, 1, 6, $"MAC 52:54:00:00:05:21 is also in {Worker} (line 1): a device has exactly one file"),
        new("duplicate hostname", t => t.Add(NewDevice, DeviceYaml(hostname: "worker-01")), "duplicate-hostname", NewDevice, 2, 11, $"hostname 'worker-01' is also used by {Worker} (line 2)"),
        new("duplicate IP", t => t.Add(NewDevice, DeviceYaml(ip: "10.0.5.21/24")), "duplicate-ip", NewDevice, 4, 5, $"address 10.0.5.21 is also used by {Worker} (line 4)"),
        new("IP without prefix", t => t.Add(NewDevice, DeviceYaml(ip: "10.0.5.29")), "invalid-ip", NewDevice, 4, 5, "must be an address with its prefix length"),
        new("IP out of range", t => t.Add(NewDevice, DeviceYaml(ip: "10.0.5.300/24")), "invalid-ip", NewDevice, 4, 5, "'10.0.5.300/24'"),
        new("prefix too long", t => t.Add(NewDevice, DeviceYaml(ip: "10.0.5.29/33")), "invalid-ip", NewDevice, 4, 5, "'10.0.5.29/33'"),
        new("gateway outside the subnet", t => t.Add(NewDevice, DeviceYaml(extra: "gateway: 10.0.6.1\n")), "gateway-outside-subnet", NewDevice, 5, 10, "gateway 10.0.6.1 is outside this device's subnet 10.0.5.29/24"),
        new("cluster gateway outside the device's subnet", t => t.Add(NewDevice, DeviceYaml(ip: "10.0.9.29/24")), "gateway-outside-subnet", NewDevice, 4, 5, "the cluster default gateway from inventory/cluster.yaml 10.0.5.1 is outside"),
        new("unknown role with suggestion", t => t.Add(NewDevice, DeviceYaml(role: "wroker")), "unknown-role", NewDevice, 3, 7, "role 'wroker' is not known: did you mean 'worker'?"),
        new("hostname with a newline", t => t.Add(NewDevice, DeviceYaml(hostname: "\"evil\\ninjected: true\"")), "invalid-hostname", NewDevice, 2, 11, "hostname 'evil\\ninjected: true' must be an RFC 1123 label"),
        new("hostname with ': '", t => t.Add(NewDevice, DeviceYaml(hostname: "'a: b'")), "invalid-hostname", NewDevice, 2, 11, "hostname 'a: b'"),
        new("hostname with a leading '-'", t => t.Add(NewDevice, DeviceYaml(hostname: "'-worker'")), "invalid-hostname", NewDevice, 2, 11, "hostname '-worker'"),
        new("upper-case hostname", t => t.Add(NewDevice, DeviceYaml(hostname: "Worker-09")), "invalid-hostname", NewDevice, 2, 11, "lower-case"),
        new("value that is a list", t => t.Add(NewDevice, DeviceYaml(hostname: "[a, b]")), "invalid-type", NewDevice, 2, 11, "'hostname' must be a single value, not a list"),
        new("unknown status", t => t.Add(NewDevice, DeviceYaml(extra: "status: maybe\n")), "invalid-status", NewDevice, 5, 9, "status 'maybe' is not known"),
        new("bad label", t => t.Add(NewDevice, DeviceYaml(extra: "labels:\n  rack: \"a b\"\n")), "invalid-label", NewDevice, 6, 9, "label 'rack' must have a Kubernetes label value"),
        new("bad install disk", t => t.Add(NewDevice, DeviceYaml(extra: "installDisk: \"/dev/sda\\n  wipe: true\"\n")), "invalid-install-disk", NewDevice, 5, 14, "must be a device path"),
        new("unknown deviceAuth with suggestion", t => t.Add(NewDevice, DeviceYaml(extra: "deviceAuth: confrim\n")), "invalid-device-auth", NewDevice, 5, 13, "deviceAuth 'confrim' is not known: did you mean 'confirm'?"),
        new("multi-line deviceAuthRearm", t => t.Add(NewDevice, DeviceYaml(extra: "deviceAuthRearm: \"reinstall\\nnow\"\n")), "invalid-device-auth-rearm", NewDevice, 5, 18, "deviceAuthRearm must be one non-empty line"),
        new("blank deviceAuthRearm", t => t.Add(NewDevice, DeviceYaml(extra: "deviceAuthRearm: \"  \"\n")), "invalid-device-auth-rearm", NewDevice, 5, 18, "at most 200 characters"),
        new("cluster deviceAuth as a YAML boolean word", t => t.Add("inventory/cluster.yaml", "name: homelab\nendpoint: https://10.0.5.10:6443\ntalosVersion: v1.13.9\ndeviceAuth: yes\n"), "invalid-device-auth", "inventory/cluster.yaml", 4, 13, "use 'off', 'confirm' or 'first'"),
        new("bad interface name", t => t.Add(NewDevice, DeviceYaml(extra: "interface: \"eth0: x\"\n")), "invalid-interface", NewDevice, 5, 12, "must be a Linux interface name"),
        new("patch path escaping templates/patches", t => t.Add(NewDevice, DeviceYaml(extra: "patches:\n  - templates/patches/../../inventory/cluster.yaml\n")), "invalid-patch-path", NewDevice, 6, 5, "must be a path under templates/patches/"),
        new("patch file that does not exist", t => t.Add(NewDevice, DeviceYaml(extra: "patches:\n  - templates/patches/extra/nope.yaml\n")), "missing-file", NewDevice, 6, 5, "patch templates/patches/extra/nope.yaml does not exist"),
        new("file that is not YAML", t => t.Add("inventory/devices/notes.txt", "hello"), "unexpected-file", "inventory/devices/notes.txt", 0, 0, "device files are YAML files"),
        new("file that is a list", t => t.Add(NewDevice, "- mac: 52:54:00:00:05:29\n"), "not-a-mapping", NewDevice, 1, 1, "one YAML mapping"),
        new("cluster file missing", t => t.Remove("inventory/cluster.yaml"), "missing-file", "inventory/cluster.yaml", 0, 0, "inventory/cluster.yaml is missing"),
        new("cluster endpoint not https", t => t.Add("inventory/cluster.yaml", "name: homelab\nendpoint: http://10.0.5.10:6443\ntalosVersion: v1.13.9\n"), "invalid-endpoint", "inventory/cluster.yaml", 2, 11, "must be an https URL"),
        new("cluster version malformed", t => t.Add("inventory/cluster.yaml", "name: homelab\nendpoint: https://10.0.5.10:6443\ntalosVersion: latest\n"), "invalid-version", "inventory/cluster.yaml", 3, 15, "talosVersion 'latest' must be a version"),
        new("base template missing", t => t.Remove("templates/base/worker.yaml"), "missing-file", "templates/base/worker.yaml", 0, 0, "the base config for worker devices"),
        new("template syntax error", t => t.Add("templates/patches/all/60-bad.yaml", "machine:\n    x: {{ if }}\n"), "template-syntax", "templates/patches/all/60-bad.yaml", 2, 14, "Expecting <expression>"),
        new("template unknown variable", t => t.Add("templates/patches/all/60-bad.yaml", "machine:\n    x: {{ device.hostnmae }}\n"), "template-runtime", "templates/patches/all/60-bad.yaml", 2, 18, "hostnmae"),
        new("template output not YAML", t => t.Add("templates/patches/all/60-bad.yaml", "machine: [{{ device.hostname }}\n"), "patch-yaml", "templates/patches/all/60-bad.yaml", 2, 1, "the output of this template is not valid YAML"),
        // The patch output takes the renderer's fast parse, which keeps no positions; the error must still point into it.
        new("patch that cannot merge", t => t.Add("templates/patches/all/60-bad.yaml", "machine:\n    certSANs:\n        a: {{ device.hostname }}\n"), "patch-type-mismatch", "templates/patches/all/60-bad.yaml", 3, 9, "cannot merge a mapping into a list at machine.certSANs"),
        new("machine type not the role", t => t.Add("templates/patches/controlplane/60-bad.yaml", "machine:\n    type: worker\n"), "config-machine-type", Cp, 1, 1, "rendered config for cp-01: machine.type is 'worker' but the device's role is 'controlplane'"),
        new("hostname not the device's", t => t.Add("templates/patches/all/60-bad.yaml", "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: other\n"), "config-hostname", Cp, 1, 1, "the hostname is 'other' but the device file says 'cp-01'"),
        new("hostname set twice", t => t.Add("templates/patches/all/60-bad.yaml", "machine:\n    network:\n        hostname: {{ device.hostname }}\n"), "config-hostname", Cp, 1, 1, "both a HostnameConfig document and machine.network.hostname"),
        new("no install disk", t => t.Add("inventory/cluster.yaml", "name: homelab\nendpoint: https://10.0.5.10:6443\ntalosVersion: v1.13.9\ndefaults:\n  gateway: 10.0.5.1\n"), "config-install-disk", Cp, 1, 1, "neither machine.install.disk nor machine.install.diskSelector"),
        new("install disk empty", t => t.Add("inventory/cluster.yaml", "name: homelab\nendpoint: https://10.0.5.10:6443\ntalosVersion: v1.13.9\ndefaults:\n  gateway: 10.0.5.1\n").Add("templates/patches/all/60-disk.yaml", "machine:\n    install:\n        disk: \"\"\n"), "config-install-disk", Cp, 1, 1, "neither machine.install.disk nor machine.install.diskSelector"),
        new("endpoint broken by a patch", t => t.Add("templates/patches/all/60-bad.yaml", "cluster:\n    controlPlane:\n        endpoint: http://plain:6443\n"), "config-endpoint", Cp, 1, 1, "cluster.controlPlane.endpoint 'http://plain:6443' is not an https URL"),
        new("worker holding a CA key", t => t.Add("templates/patches/worker/60-bad.yaml", "cluster:\n    ca:\n        key: c2VjcmV0\n"), "config-worker-secret", Worker, 1, 1, "cluster.ca.key is set, but a worker must not hold a CA's private key"),
    ];

    /// <summary>Case names, so each case is its own test in the runner's output.</summary>
    public static TheoryData<string> Cases() => new(AllCases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_WhenInputIsBad_ReportsCodeLocationAndMessage(string name)
    {
        var c = AllCases.Single(x => x.Name == name);
        var tree = ExampleRepository.Load();
        c.Change(tree);

        var result = Renderer.Render(tree);

        Assert.False(result.IsValid);
        Assert.Null(result.Set);
        // The first error of that code in that file: one mistake can have consequences further on.
        var error = result.Errors.First(e => e.Code == c.Code && e.Location.File == c.File);
        Assert.Equal((c.Line, c.Column), (error.Location.Line, error.Location.Column));
        Assert.Contains(c.MessagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenExampleIsUnchanged_IsValid()
    {
        var result = Renderer.Render(ExampleRepository.Load());

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(5, result.Set!.Approved.Count);
        Assert.Single(result.Set.Rejected);
    }

    [Fact]
    public void Render_WhenSeveralFilesAreBad_ReportsEveryErrorInOneRun()
    {
        var tree = ExampleRepository.Load()
            .Add(NewDevice, DeviceYaml(mac: "nope", role: "wroker"))
            .Add("inventory/devices/worker-10.yaml", DeviceYaml(mac: "52:54:00:00:05:30", hostname: "worker-10", ip: "10.0.5.30/24", extra: "hostnmae: x\n"))
            .Add("templates/patches/all/60-bad.yaml", "x: {{ device.nope }}\n");

        var codes = Renderer.Render(tree).Errors.Select(e => e.Code).Order().ToList();

        Assert.Equal(["invalid-mac", "template-runtime", "unknown-key", "unknown-role"], codes);
    }

    [Fact]
    public void Render_WhenATemplateFailsForEveryDevice_ReportsItOnceWithTheCount()
    {
        var tree = ExampleRepository.Load().Add("templates/patches/all/60-bad.yaml", "x: {{ device.nope }}\n");

        var error = Assert.Single(Renderer.Render(tree).Errors);

        Assert.EndsWith("(rendering cp-01 and 4 more devices)", error.Message, StringComparison.Ordinal);
    }
}
