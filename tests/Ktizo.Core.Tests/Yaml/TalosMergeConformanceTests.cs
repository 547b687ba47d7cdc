using static Ktizo.Core.Tests.Yaml.YamlKit;

namespace Ktizo.Core.Tests.Yaml;

/// <summary>
/// Ktizo's merge against Talos's, case by case. Each row names the Talos source (siderolabs/talos at the
/// row's release; paths under pkg/machinery/config/) that decides it, the base, the patches applied in
/// order, and either the merged result or the error code Ktizo reports where Talos refuses the patch.
/// </summary>
public class TalosMergeConformanceTests
{
    public sealed record Case(string Name, string Talos, string Source, string Base, string[] Patches, string? Expected, string? Error = null);

    private const string V13 = "v1.13.9";
    private const string V12 = "v1.12.11";
    private const string V14 = "v1.14.0";

    private static readonly Case[] Cases =
    [
        // ---- fields with their own Merge() or merge:"replace" ----
        new("kubelet extraArgs: a key's value is replaced, not appended", V13, "types/v1alpha1/v1alpha1_types.go:88 (Args.Merge, maps.Copy)",
            "machine:\n  kubelet:\n    extraArgs:\n      rotate-server-certificates: \"true\"\n",
            ["machine:\n  kubelet:\n    extraArgs:\n      feature-gates: [A=true]\n", "machine:\n  kubelet:\n    extraArgs:\n      feature-gates: [B=true]\n"],
            "machine:\n  kubelet:\n    extraArgs:\n      rotate-server-certificates: \"true\"\n      feature-gates: [B=true]\n"),
        new("apiServer extraArgs: a string value may become a list", V13, "types/v1alpha1/v1alpha1_types.go:88 (Args.Merge)",
            "cluster:\n  apiServer:\n    extraArgs:\n      feature-gates: A=true\n",
            ["cluster:\n  apiServer:\n    extraArgs:\n      feature-gates: [A=true, B=true]\n"],
            "cluster:\n  apiServer:\n    extraArgs:\n      feature-gates: [A=true, B=true]\n"),
        new("extraArgs v1.13: an empty value replaces (Args copies whole values)", V13, "types/v1alpha1/v1alpha1_types.go:88",
            "cluster:\n  apiServer:\n    extraArgs:\n      v: \"2\"\n",
            ["cluster:\n  apiServer:\n    extraArgs:\n      v: \"\"\n"],
            "cluster:\n  apiServer:\n    extraArgs:\n      v: \"\"\n"),
        new("extraArgs v1.12: a map of strings, so an empty value leaves the set one", V12, "types/v1alpha1/v1alpha1_types.go:1077 (map[string]string) + merge/merge.go:190",
            "cluster:\n  apiServer:\n    extraArgs:\n      v: \"2\"\n",
            ["cluster:\n  apiServer:\n    extraArgs:\n      v: \"\"\n"],
            "cluster:\n  apiServer:\n    extraArgs:\n      v: \"2\"\n"),
        new("podSubnets are replaced whole", V13, "types/v1alpha1/v1alpha1_types.go:1533 (merge:\"replace\")",
            "cluster:\n  network:\n    podSubnets: [10.244.0.0/16]\n",
            ["cluster:\n  network:\n    podSubnets: [10.200.0.0/16]\n"],
            "cluster:\n  network:\n    podSubnets: [10.200.0.0/16]\n"),
        new("NetworkRuleConfig ingress is replaced whole", V13, "types/network/rule_config.go:65 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\ningress:\n  - subnet: 10.0.0.0/8\n",
            ["apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\ningress:\n  - subnet: 192.168.0.0/16\n"],
            "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\ningress:\n  - subnet: 192.168.0.0/16\n"),
        new("NetworkRuleConfig portSelector.ports are replaced whole, protocol merges", V13, "types/network/rule_config.go:84 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\nportSelector:\n  ports: [80]\n  protocol: tcp\n",
            ["apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\nportSelector:\n  ports: [443]\n"],
            "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: web\nportSelector:\n  ports: [443]\n  protocol: tcp\n"),
        new("ExtensionServiceConfig configFiles merge by mountPath", V13, "types/runtime/extensions/service_config.go:89 (ConfigFileList.Merge)",
            "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: nut\nconfigFiles:\n  - content: a\n    mountPath: /etc/a\n",
            ["apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: nut\nconfigFiles:\n  - content: b\n    mountPath: /etc/a\n  - content: c\n    mountPath: /etc/c\n"],
            "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: nut\nconfigFiles:\n  - content: b\n    mountPath: /etc/a\n  - content: c\n    mountPath: /etc/c\n"),
        new("ImageVerificationConfig rules: a rule for the same image replaces the old one whole", V13, "types/security/image_verification.go:84 (ImageVerificationRules.Merge)",
            "apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules:\n  - image: docker.io/*\n    skip: true\n",
            ["apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules:\n  - image: docker.io/*\n    deny: true\n  - image: ghcr.io/*\n    skip: true\n"],
            "apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules:\n  - image: docker.io/*\n    deny: true\n  - image: ghcr.io/*\n    skip: true\n"),
        new("interfaces merge by name, vlans by vlanId", V13, "types/v1alpha1/v1alpha1_types.go:2192 (VlanList.Merge)",
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            mtu: 1500\n",
            ["machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            mtu: 9000\n"],
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            mtu: 9000\n"),
        new("admissionControl merges by name", V13, "types/v1alpha1/v1alpha1_types.go:1249 (AdmissionPluginConfigList.Merge)",
            "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        configuration:\n          a: 1\n",
            ["cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        configuration:\n          b: 2\n"],
            "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        configuration:\n          a: 1\n          b: 2\n"),
        new("KubeAuthenticationConfig configuration is replaced whole", V14, "types/k8s/authentication.go:51 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: KubeAuthenticationConfig\nconfiguration:\n  jwt: [a]\n  anonymous: {enabled: false}\n",
            ["apiVersion: v1alpha1\nkind: KubeAuthenticationConfig\nconfiguration:\n  jwt: [b]\n"],
            "apiVersion: v1alpha1\nkind: KubeAuthenticationConfig\nconfiguration:\n  jwt: [b]\n"),
        new("KubeCredentialProviderConfig configuration is replaced whole", V14, "types/k8s/credential_provider.go:54 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: KubeCredentialProviderConfig\nconfiguration:\n  providers: [a]\n  kind: X\n",
            ["apiVersion: v1alpha1\nkind: KubeCredentialProviderConfig\nconfiguration:\n  providers: [b]\n"],
            "apiVersion: v1alpha1\nkind: KubeCredentialProviderConfig\nconfiguration:\n  providers: [b]\n"),
        new("KubeStaticPodConfig pod is replaced whole", V14, "types/k8s/static_pod.go:65 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: KubeStaticPodConfig\nname: web\npod:\n  metadata: {name: a}\n  spec: {containers: [x]}\n",
            ["apiVersion: v1alpha1\nkind: KubeStaticPodConfig\nname: web\npod:\n  spec: {containers: [y]}\n"],
            "apiVersion: v1alpha1\nkind: KubeStaticPodConfig\nname: web\npod:\n  spec: {containers: [y]}\n"),
        new("BGPInstanceConfig neighbors, advertise and importRoutes are replaced whole", V14, "types/network/bgp.go:95,112,115 (merge:\"replace\")",
            "apiVersion: v1alpha1\nkind: BGPInstanceConfig\nname: main\nadvertise: [a]\nimportRoutes: [{prefix: x}]\nneighbors: [{address: 10.0.0.1}]\n",
            ["apiVersion: v1alpha1\nkind: BGPInstanceConfig\nname: main\nadvertise: [b]\nimportRoutes: [{prefix: y}]\nneighbors: [{address: 10.0.0.2}]\n"],
            "apiVersion: v1alpha1\nkind: BGPInstanceConfig\nname: main\nadvertise: [b]\nimportRoutes: [{prefix: y}]\nneighbors: [{address: 10.0.0.2}]\n"),
        new("VolumeConfig minSize is cleared by a patch that reaches provisioning without it", V13, "types/block/byte_size.go:93 (ByteSize.Merge copies the patch's empty value)",
            "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  minSize: 2GB\n  maxSize: 40GB\n",
            ["apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  maxSize: 20GB\n"],
            "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  maxSize: 20GB\n"),

        // ---- zero values and pointers ----
        new("install disk \"\" leaves /dev/sda (a string held by value)", V13, "types/v1alpha1/v1alpha1_types.go:888 + merge/merge.go:190",
            "machine:\n  install:\n    disk: /dev/sda\n", ["machine:\n  install:\n    disk: \"\"\n"], "machine:\n  install:\n    disk: /dev/sda\n"),
        new("dnsDomain \"\" leaves the set value", V13, "types/v1alpha1/v1alpha1_types.go:1527 + merge/merge.go:190",
            "cluster:\n  network:\n    dnsDomain: cluster.local\n", ["cluster:\n  network:\n    dnsDomain: \"\"\n"], "cluster:\n  network:\n    dnsDomain: cluster.local\n"),
        new("mtu 0 leaves the set value (a number held by value)", V13, "types/v1alpha1/v1alpha1_types.go:1904 + merge/merge.go:190",
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 1500\n", ["machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 0\n"],
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 1500\n"),
        new("install wipe false replaces true (a bool held by pointer)", V13, "types/v1alpha1/v1alpha1_types.go:922 + merge/merge.go:71",
            "machine:\n  install:\n    wipe: true\n", ["machine:\n  install:\n    wipe: false\n"], "machine:\n  install:\n    wipe: false\n"),
        new("a nodeLabels value \"\" leaves the set one (map of strings)", V13, "types/v1alpha1/v1alpha1_types.go:393 + merge/merge.go:190",
            "machine:\n  nodeLabels:\n    zone: a\n", ["machine:\n  nodeLabels:\n    zone: \"\"\n    rack: \"\"\n"], "machine:\n  nodeLabels:\n    zone: a\n    rack: \"\"\n"),
        new("kubelet extraConfig: 0 leaves the set number (free-form map)", V13, "types/v1alpha1/v1alpha1_unstructured.go:17 + merge/merge.go:190",
            "machine:\n  kubelet:\n    extraConfig:\n      maxPods: 110\n", ["machine:\n  kubelet:\n    extraConfig:\n      maxPods: 0\n"], "machine:\n  kubelet:\n    extraConfig:\n      maxPods: 110\n"),
        new("kubelet extraConfig: a string onto a number is refused", V13, "merge/merge.go:118 (merge type mismatch)",
            "machine:\n  kubelet:\n    extraConfig:\n      maxPods: 110\n", ["machine:\n  kubelet:\n    extraConfig:\n      maxPods: \"120\"\n"], null, "patch-type-mismatch"),
        new("lists append", V13, "merge/merge.go:90",
            "machine:\n  certSANs: [a]\n", ["machine:\n  certSANs: [b]\n"], "machine:\n  certSANs: [a, b]\n"),

        // ---- $patch: delete ----
        new("deleting a struct field that is not set is no error", V13, "configloader/internal/decoder/selector.go:167 (SetZero)",
            "machine:\n  network:\n    interfaces: []\n", ["machine:\n  network:\n    hostname:\n      $patch: delete\n"], "machine:\n  network:\n    interfaces: []\n"),
        new("deleting under a missing pointer struct fails", V13, "configloader/internal/decoder/selector.go:143 (lookup failed; Talos's patchdeletemissing test)",
            "machine:\n  type: worker\n", ["machine:\n  network:\n    hostname:\n      $patch: delete\n"], null, "patch-delete-missing"),
        new("deleting a map key that is not there fails", V13, "configloader/internal/decoder/selector.go:218 (lookup failed)",
            "machine:\n  nodeLabels:\n    zone: a\n", ["machine:\n  nodeLabels:\n    rack:\n      $patch: delete\n"], null, "patch-delete-missing"),
        new("deleting a map key that is there removes it", V13, "configloader/internal/decoder/selector.go:205",
            "machine:\n  nodeLabels:\n    zone: a\n    rack: b\n", ["machine:\n  nodeLabels:\n    rack:\n      $patch: delete\n"], "machine:\n  nodeLabels:\n    zone: a\n"),
        new("a list item is found by a text field", V13, "configloader/internal/decoder/selector.go:271",
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n      - interface: eth1\n", ["machine:\n  network:\n    interfaces:\n      - interface: eth0\n        $patch: delete\n"],
            "machine:\n  network:\n    interfaces:\n      - interface: eth1\n"),
        new("a list item is never found by a number (vlanId)", V13, "configloader/internal/decoder/selector.go:271 (reflect String() of a uint16 is \"<uint16 Value>\")",
            "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n",
            ["machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            $patch: delete\n"], null, "patch-delete-unsupported"),
        new("a list item is never found by a number (top-level list)", V13, "configloader/internal/decoder/selector.go:271",
            "apiVersion: v1alpha1\nkind: VLANConfig\nname: eth0.10\nvlanID: 10\naddresses:\n  - address: 10.0.0.1/24\n    routePriority: 5\n",
            ["apiVersion: v1alpha1\nkind: VLANConfig\nname: eth0.10\naddresses:\n  - routePriority: 5\n    $patch: delete\n"], null, "patch-delete-key-type"),
        new("the v1alpha1 document cannot be deleted", V13, "configloader/internal/decoder/selector.go:116",
            "machine:\n  type: worker\n", ["version: v1alpha1\n$patch: delete\n"], null, "patch-delete-unsupported"),

        // ---- documents ----
        new("the same document twice in one patch is refused", V13, "configloader/internal/decoder/decoder.go:127",
            "machine:\n  type: worker\n", ["apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: b\n"], null, "patch-duplicate-document"),
        new("v1alpha1 deletes and merge come first, then the other documents in file order", V13, "config/container/container.go:696-708 (Documents order)",
            "machine:\n  certSANs: [a]\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: old\n",
            ["apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: new\n---\napiVersion: v1alpha1\nkind: HostnameConfig\n$patch: delete\n---\nmachine:\n  certSANs:\n    $patch: delete\n"],
            "machine: {}\n"),
        new("a document delete in a later document runs after an earlier document's merge", V13, "config/container/container.go:708 + configpatcher/strategic.go (selectors in file order)",
            "machine:\n  type: worker\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 1500\n",
            ["apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 9000\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n$patch: delete\n"],
            "machine:\n  type: worker\n"),
    ];

    public static TheoryData<string> Names => [.. Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Merge_GivesTalosResult(string name)
    {
        var row = Cases.Single(c => c.Name == name);
        Assert.False(string.IsNullOrWhiteSpace(row.Source));
        var (output, diagnostics) = MergeFor(row.Talos, row.Base, row.Patches);
        if (row.Error is null)
        {
            Assert.Empty(diagnostics);
            Assert.Equal(Text(Docs(row.Expected!)), output);
        }
        else
        {
            var error = Assert.Single(diagnostics);
            Assert.Equal(row.Error, error.Code);
            Assert.Equal("patch.yaml", error.Location.File);
            Assert.True(error.Location.Line > 0);
        }
    }
}
