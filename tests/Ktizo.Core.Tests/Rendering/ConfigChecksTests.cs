using Ktizo.Core.Files;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rendering;

/// <summary>
/// The checks of Talos's <c>Validate()</c> methods a patch can break (ConfigChecks, InventoryRules.CheckVip): for each,
/// a change that breaks it and the nearest change that does not. Sources at siderolabs/talos v1.13.9.
/// </summary>
public class ConfigChecksTests
{
    private const string Cp = "inventory/devices/cp-01.yaml";
    private const string Worker = "inventory/devices/worker-01.yaml";
    private const string ClusterFile = "inventory/cluster.yaml";

    /// <param name="Source">The Talos file and line that raises the error.</param>
    public sealed record Case(string Name, string Source, Action<InMemoryFileTree> Bad, Action<InMemoryFileTree> Good, string Code, string File, string MessagePart)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] AllCases =
    [
        new("vip name a DNS name", "network/layer2_vip.go:112",
            t => t.Add("templates/patches/controlplane/60-vip.yaml", Vip("k8s.home.arpa")),
            t => t.Add("templates/patches/controlplane/60-vip.yaml", Vip("10.0.5.9")),
            "config-vip", Cp, "Layer2VIPConfig name 'k8s.home.arpa' must be an IP address"),
        new("vip name a bracketed IPv6 piece", "network/layer2_vip.go:112",
            t => t.Add("templates/patches/controlplane/60-vip.yaml", Vip("[fd00")),
            t => t.Add("templates/patches/controlplane/60-vip.yaml", Vip("fd00::10")),
            "config-vip", Cp, "Layer2VIPConfig name '[fd00' must be an IP address"),
        new("vip without a link", "network/layer2_vip.go:116",
            t => t.Add("templates/patches/controlplane/60-vip.yaml", "apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 10.0.5.9\n"),
            t => t.Add("templates/patches/controlplane/60-vip.yaml", Vip("10.0.5.9")),
            "config-vip", Cp, "has no link"),
        new("link address without prefix", "network/link.go:258",
            t => t.Add("templates/patches/all/60-link.yaml", Link("addresses:\n    - address: 10.0.5.50\n")),
            t => t.Add("templates/patches/all/60-link.yaml", Link("addresses:\n    - address: 10.0.5.50/24\n")),
            "config-link-address", Cp, "addresses[1].address '10.0.5.50' must be an address with its prefix length"),
        new("link address unspecified", "network/link.go:260",
            t => t.Add("templates/patches/all/60-link.yaml", Link("addresses:\n    - address: 0.0.0.0/0\n")),
            t => t.Add("templates/patches/all/60-link.yaml", Link("addresses:\n    - address: 10.0.6.1/24\n")),
            "config-link-address", Cp, "'0.0.0.0/0' must be an address"),
        new("route gateway not an address", "network/link.go:270",
            t => t.Add("templates/patches/all/60-link.yaml", Link("routes:\n    - gateway: router.lan\n")),
            t => t.Add("templates/patches/all/60-link.yaml", Link("routes:\n    - gateway: 10.0.5.254\n")),
            "config-link-route", Cp, "routes[1].gateway 'router.lan' must be an IP address"),
        new("link alias without selector", "network/link_alias.go:171",
            t => t.Add("templates/patches/all/60-alias.yaml", "apiVersion: v1alpha1\nkind: LinkAliasConfig\nname: net1\n"),
            t => t.Add("templates/patches/all/60-alias.yaml", "apiVersion: v1alpha1\nkind: LinkAliasConfig\nname: net1\nselector:\n    match: link.driver == \"e1000\"\n"),
            "config-link-alias", Cp, "LinkAliasConfig 'net1' has no selector.match"),
        new("empty disk selector and no disk", "v1alpha1/v1alpha1_validation.go:111",
            t => NoDefaultDisk(t).Add("templates/patches/all/60-disk.yaml", "machine:\n    install:\n        diskSelector: {}\n"),
            t => NoDefaultDisk(t).Add("templates/patches/all/60-disk.yaml", "machine:\n    install:\n        diskSelector:\n            type: nvme\n"),
            "config-install-disk", Cp, "neither machine.install.disk nor machine.install.diskSelector"),
        new("control plane without the CA key", "v1alpha1/v1alpha1_validation.go:152",
            // The key comes from the secrets bundle; a control-plane patch can still delete it.
            t => t.Add("templates/patches/controlplane/60-ca.yaml", "machine:\n    ca:\n        key:\n            $patch: delete\n"),
            t => t.Add("templates/patches/controlplane/60-ca.yaml", "machine:\n    nodeLabels:\n        $patch: delete\n"),
            "config-controlplane-ca", Cp, "machine.ca.key is not set"),
        new("etcd settings on a worker", "v1alpha1/v1alpha1_validation.go:437",
            t => t.Add("templates/patches/all/60-etcd.yaml", Etcd),
            t => t.Add("templates/patches/controlplane/60-etcd.yaml", Etcd),
            "config-worker-etcd", Worker, "cluster.etcd is set"),
        new("vip outside the control planes' subnet", "network/layer2_vip.go (an address the link can carry)",
            t => t.Add(ClusterFile, ClusterWithVip("10.0.6.10")),
            t => t.Add(ClusterFile, ClusterWithVip("10.0.5.200")),
            "vip-outside-subnet", ClusterFile, "vip 10.0.6.10 is outside control-plane device cp-01's subnet 10.0.5.11/24"),
        new("vip a node's own address", "network/layer2_vip.go (an address no node has)",
            t => t.Add(ClusterFile, ClusterWithVip("10.0.5.12")),
            t => t.Add(ClusterFile, ClusterWithVip("10.0.5.10")),
            "vip-is-device-address", ClusterFile, "vip 10.0.5.12 is also the address of control-plane device cp-02"),
        new("boot setting not a boolean", "(Ktizo's own cluster.yaml)",
            t => t.Add(ClusterFile, Example(ClusterFile) + "boot:\n  haltIfInstalled: nope\n"),
            t => t.Add(ClusterFile, Example(ClusterFile) + "boot:\n  haltIfInstalled: false\n"),
            "invalid-boolean", ClusterFile, "boot.haltIfInstalled 'nope' must be true or false"),
    ];

    private const string Etcd = "cluster:\n    etcd:\n        advertisedSubnets:\n            - 10.0.5.0/24\n";

    public static TheoryData<string> Cases() => new(AllCases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_WhenAPatchBreaksATalosCheck_ReportsItForTheDevice(string name)
    {
        var c = AllCases.Single(x => x.Name == name);
        var tree = ExampleRepository.Load();
        c.Bad(tree);

        var result = Renderer.Render(tree);

        Assert.Null(result.Set);
        Assert.Single(result.Errors, e => e.Code == c.Code && e.Location.File == c.File && e.Message.Contains(c.MessagePart, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Errors, e => e.Code != c.Code);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_WhenTheSameChangeIsRight_IsValid(string name)
    {
        var c = AllCases.Single(x => x.Name == name);
        var tree = ExampleRepository.Load();
        c.Good(tree);

        var result = Renderer.Render(tree);

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Render_WithoutAVip_RendersNoLayer2VipConfig()
    {
        var tree = ExampleRepository.Load().Add(ClusterFile, Example(ClusterFile).Replace("vip: 10.0.5.10\n", "", StringComparison.Ordinal));

        var set = Renderer.Render(tree).Set!;

        Assert.All(set.Approved.Values, c => Assert.DoesNotContain("Layer2VIPConfig", System.Text.Encoding.UTF8.GetString(c.Yaml), StringComparison.Ordinal));
    }

    [Fact]
    public void Render_WithAVipAndADnsEndpoint_TakesTheVipNotTheEndpoint()
    {
        var cluster = Example(ClusterFile).Replace("endpoint: https://10.0.5.10:6443", "endpoint: https://k8s.home.arpa:6443", StringComparison.Ordinal);

        var set = Renderer.Render(ExampleRepository.Load().Add(ClusterFile, cluster)).Set!;

        var cp = System.Text.Encoding.UTF8.GetString(set.Approved.Values.Single(c => c.Device.Hostname == "cp-01").Yaml);
        Assert.Contains("kind: Layer2VIPConfig\nname: \"10.0.5.10\"", cp, StringComparison.Ordinal);
    }

    private static string Vip(string name) => $"apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: \"{name}\"\nlink: net0\n";

    private static string Link(string body) => $"apiVersion: v1alpha1\nkind: LinkConfig\nname: \"{{{{ device.interface ?? \"net0\" }}}}\"\n{body}";

    private static string Example(string path) => File.ReadAllText(Path.Combine(ExampleRepository.Root, path));

    private static string ClusterWithVip(string vip) => Example(ClusterFile).Replace("vip: 10.0.5.10\n", $"vip: {vip}\n", StringComparison.Ordinal);

    private static InMemoryFileTree NoDefaultDisk(InMemoryFileTree tree) =>
        tree.Add(ClusterFile, Example(ClusterFile).Replace("  installDisk: /dev/sda\n", "", StringComparison.Ordinal));
}
