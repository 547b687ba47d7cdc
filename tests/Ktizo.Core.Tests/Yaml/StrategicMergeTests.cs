using Ktizo.Core.Yaml;
using static Ktizo.Core.Tests.Yaml.YamlKit;

namespace Ktizo.Core.Tests.Yaml;

// One test per rule at the top of src/Ktizo.Core/Yaml/StrategicMerge.cs.
public class StrategicMergeTests
{
    private const string Base = """
        version: v1alpha1
        machine:
            type: worker
            install:
                disk: /dev/sda
                wipe: false
            certSANs:
                - 10.0.0.1
        cluster:
            network:
                dnsDomain: cluster.local
                podSubnets:
                    - 10.244.0.0/16
                serviceSubnets:
                    - 10.96.0.0/12

        """;

    // ---- maps and scalars (rules 4-6) ----

    [Fact]
    public void Apply_WhenPatchHasNestedMapping_MergesKeyByKey()
    {
        var output = Merged(Base, "machine:\n  install:\n    wipe: true\n");

        Assert.Contains("""
                install:
                    disk: /dev/sda
                    wipe: true

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchAddsKeys_AppendsThemAfterExistingKeys()
    {
        var output = Merged("machine:\n  type: worker\n", "machine:\n  nodeLabels:\n    rack: r1\n  kubelet:\n    image: k\n");

        Assert.Equal("""
            machine:
                type: worker
                nodeLabels:
                    rack: r1
                kubelet:
                    image: k

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchSetsScalar_ReplacesIt()
    {
        var output = Merged(Base, "machine:\n  type: controlplane\n");

        Assert.Contains("    type: controlplane\n", output);
        Assert.DoesNotContain("worker", output);
    }

    [Theory]
    [InlineData("machine:\n  type:\n")]
    [InlineData("machine:\n  type: null\n")]
    [InlineData("machine:\n  type: ~\n")]
    public void Apply_WhenPatchValueIsNull_KeepsConfigValue(string patch)
    {
        Assert.Equal(Merged(Base), Merged(Base, patch));
    }

    [Fact]
    public void Apply_WhenConfigValueIsNull_TakesPatchValue()
    {
        var output = Merged("cluster: null\n", "cluster:\n  clusterName: c1\n");

        Assert.Equal("cluster:\n    clusterName: c1\n", output);
    }

    [Fact]
    public void Apply_WhenPatchQuotesAString_KeepsItAString()
    {
        var output = Merged("machine:\n  install:\n    disk: /dev/sda\n", "machine:\n  install:\n    disk: 'true'\n");

        Assert.Contains("disk: \"true\"\n", output);
    }

    // ---- plain lists (rule 7) ----

    [Fact]
    public void Apply_WhenPatchHasList_AppendsItemsAfterConfigItems()
    {
        var output = Merged(Base, "machine:\n  certSANs: [10.0.0.2, 10.0.0.3]\n");

        Assert.Contains("""
                certSANs:
                    - 10.0.0.1
                    - 10.0.0.2
                    - 10.0.0.3

            """, output);
    }

    [Fact]
    public void Apply_WhenListIsNotKeyed_AppendsEvenItemsThatLookTheSame()
    {
        const string config = """
            machine:
                kubelet:
                    extraMounts:
                        - destination: /var/lib/a
                          type: bind

            """;

        var output = Merged(config, "machine:\n  kubelet:\n    extraMounts:\n      - destination: /var/lib/a\n        type: rbind\n");

        Assert.Contains("""
                        - destination: /var/lib/a
                          type: bind
                        - destination: /var/lib/a
                          type: rbind

            """, output);
    }

    [Fact]
    public void Apply_WhenBondListsInterfaces_AppendsThemAsAPlainList()
    {
        // `interfaces` is keyed only at machine.network.interfaces; a bond's interfaces is a plain list.
        const string config = """
            machine:
                network:
                    interfaces:
                        - interface: bond0
                          bond:
                              interfaces:
                                  - eth0

            """;

        var output = Merged(config, "machine:\n  network:\n    interfaces:\n      - interface: bond0\n        bond:\n          interfaces: [eth1]\n");

        Assert.Contains("""
                          bond:
                            interfaces:
                                - eth0
                                - eth1

            """, output);
    }

    // ---- keyed lists (rule 8) ----

    private const string Interfaces = """
        machine:
            network:
                interfaces:
                    - interface: eth0
                      dhcp: true
                    - deviceSelector:
                          hardwareAddr: 00:11:22:33:44:55
                          driver: virtio
                      addresses:
                          - 10.0.0.5/24

        """;

    [Fact]
    public void Apply_WhenPatchInterfaceNameMatches_MergesIntoThatInterface()
    {
        var output = Merged(Interfaces, "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 9000\n        addresses: [10.0.1.5/24]\n");

        Assert.Contains("""
                        - interface: eth0
                          dhcp: true
                          mtu: 9000
                          addresses:
                            - 10.0.1.5/24
                        - deviceSelector:

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchInterfaceNameIsNew_AppendsTheInterface()
    {
        var output = Merged(Interfaces, "machine:\n  network:\n    interfaces:\n      - interface: eth1\n        dhcp: false\n");

        Assert.EndsWith("""
                            - 10.0.0.5/24
                        - interface: eth1
                          dhcp: false

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchDeviceSelectorEqualsConfigOne_MergesIntoThatInterface()
    {
        // Same selector, keys in another order.
        var output = Merged(Interfaces, "machine:\n  network:\n    interfaces:\n      - deviceSelector:\n          driver: virtio\n          hardwareAddr: 00:11:22:33:44:55\n        mtu: 1400\n");

        Assert.EndsWith("""
                          addresses:
                            - 10.0.0.5/24
                          mtu: 1400

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchDeviceSelectorDiffers_AppendsTheInterface()
    {
        var output = Merged(Interfaces, "machine:\n  network:\n    interfaces:\n      - deviceSelector:\n          hardwareAddr: 00:11:22:33:44:55\n        mtu: 1400\n");

        Assert.EndsWith("""
                            - 10.0.0.5/24
                        - deviceSelector:
                            hardwareAddr: 00:11:22:33:44:55
                          mtu: 1400

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchVlanIdMatches_MergesIntoThatVlan()
    {
        const string config = """
            machine:
                network:
                    interfaces:
                        - interface: eth0
                          vlans:
                              - vlanId: 10
                                addresses:
                                    - 10.10.0.5/24
                              - vlanId: 20
                                dhcp: true

            """;

        var output = Merged(config, "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 20\n            mtu: 1500\n          - vlanId: 30\n            dhcp: true\n");

        Assert.Contains("""
                          vlans:
                            - vlanId: 10
                              addresses:
                                - 10.10.0.5/24
                            - vlanId: 20
                              dhcp: true
                              mtu: 1500
                            - vlanId: 30
                              dhcp: true

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchAdmissionPluginNameMatches_MergesIntoThatPlugin()
    {
        const string config = """
            cluster:
                apiServer:
                    admissionControl:
                        - name: PodSecurity
                          configuration:
                              apiVersion: pod-security.admission.config.k8s.io/v1alpha1
                              defaults:
                                  enforce: baseline

            """;

        var output = Merged(config, "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        configuration:\n          defaults:\n            enforce: restricted\n");

        Assert.Equal("""
            cluster:
                apiServer:
                    admissionControl:
                        - name: PodSecurity
                          configuration:
                            apiVersion: pod-security.admission.config.k8s.io/v1alpha1
                            defaults:
                                enforce: restricted

            """, output);
    }

    // ---- replace fields (rule 9) ----

    [Theory]
    [InlineData("podSubnets", "10.244.0.0/16")]
    [InlineData("serviceSubnets", "10.96.0.0/12")]
    public void Apply_WhenPatchSetsV1Alpha1ReplaceList_ReplacesTheList(string field, string old)
    {
        var output = Merged(Base, $"cluster:\n  network:\n    {field}:\n      - 10.1.0.0/16\n      - fd00::/108\n");

        Assert.Contains($"""
                    {field}:
                        - 10.1.0.0/16
                        - fd00::/108

            """, output);
        Assert.DoesNotContain(old, output);
    }

    [Theory]
    [InlineData("podSubnets")]
    [InlineData("serviceSubnets")]
    public void Apply_WhenPatchSetsKubeNetworkConfigSubnets_ReplacesTheList(string field)
    {
        var config = $"apiVersion: v1alpha1\nkind: KubeNetworkConfig\n{field}:\n    - 10.244.0.0/16\n";

        var output = Merged(config, $"apiVersion: v1alpha1\nkind: KubeNetworkConfig\n{field}: [10.1.0.0/16]\n");

        Assert.Equal($"apiVersion: v1alpha1\nkind: KubeNetworkConfig\n{field}:\n    - 10.1.0.0/16\n", output);
    }

    [Theory]
    [InlineData("cluster:\n    apiServer:\n        auditPolicy:\n            apiVersion: audit.k8s.io/v1\n            rules:\n                - level: Metadata\n",
        "cluster:\n  apiServer:\n    auditPolicy:\n      kind: Policy\n",
        "cluster:\n    apiServer:\n        auditPolicy:\n            kind: Policy\n")]
    [InlineData("apiVersion: v1alpha1\nkind: KubeAuditPolicyConfig\nconfiguration:\n    apiVersion: audit.k8s.io/v1\n    rules:\n        - level: Metadata\n",
        "apiVersion: v1alpha1\nkind: KubeAuditPolicyConfig\nconfiguration:\n  rules: [{level: None}]\n",
        "apiVersion: v1alpha1\nkind: KubeAuditPolicyConfig\nconfiguration:\n    rules:\n        - level: None\n")]
    [InlineData("apiVersion: v1alpha1\nkind: CRIBaseRuntimeSpecConfig\noverrides:\n    process:\n        rlimits:\n            - type: RLIMIT_NOFILE\n",
        "apiVersion: v1alpha1\nkind: CRIBaseRuntimeSpecConfig\noverrides:\n  hooks: {}\n",
        "apiVersion: v1alpha1\nkind: CRIBaseRuntimeSpecConfig\noverrides:\n    hooks: {}\n")]
    public void Apply_WhenPatchSetsReplaceMapping_ReplacesTheWholeMapping(string config, string patch, string expected)
    {
        Assert.Equal(expected, Merged(config, patch));
    }

    [Fact]
    public void Apply_WhenReplaceFieldNameAppearsInAnotherDocumentKind_AppendsNormally()
    {
        var config = "apiVersion: v1alpha1\nkind: SomeOtherConfig\npodSubnets:\n    - 10.244.0.0/16\n";

        var output = Merged(config, "apiVersion: v1alpha1\nkind: SomeOtherConfig\npodSubnets: [10.1.0.0/16]\n");

        Assert.Contains("    - 10.244.0.0/16\n    - 10.1.0.0/16\n", output);
    }

    // ---- type mismatch (rule 10) ----

    [Fact]
    public void Apply_WhenMappingIsPatchedWithList_ReportsTypeMismatchAtPatchValueAndKeepsConfig()
    {
        var (output, diagnostics) = Merge(Base, "machine:\n  type: controlplane\n  install:\n    - disk: /dev/sdb\n");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("patch-type-mismatch", diagnostic.Code);
        Assert.Equal(new Ktizo.Core.Validation.SourceLocation("patch.yaml", 4, 5), diagnostic.Location);
        Assert.Contains("machine.install", diagnostic.Message);
        Assert.Contains("    install:\n        disk: /dev/sda\n", output);
        Assert.Contains("type: controlplane", output); // the rest of the patch still applies
    }

    [Theory]
    [InlineData("machine:\n  certSANs: 10.0.0.9\n", 2, 13)]
    [InlineData("machine:\n  type: [a]\n", 2, 9)]
    [InlineData("machine:\n  type:\n    a: b\n", 3, 5)]
    public void Apply_WhenKindsDiffer_ReportsTypeMismatchAtPatchValue(string patch, int line, int column)
    {
        var (output, diagnostics) = Merge(Base, patch);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("patch-type-mismatch", diagnostic.Code);
        Assert.Equal((line, column), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal(Merged(Base), output);
    }

    [Fact]
    public void Apply_WhenPatchDocumentIsNotAMapping_ReportsTypeMismatch()
    {
        var (_, diagnostics) = Merge(Base, "- a\n- b\n");

        Assert.Equal("patch-type-mismatch", Assert.Single(diagnostics).Code);
    }

    // ---- deletes (rules 11-13) ----

    [Fact]
    public void Apply_WhenPatchDeletesKey_RemovesIt()
    {
        var output = Merged(Base, "machine:\n  install:\n    wipe:\n      $patch: delete\n");

        Assert.Contains("    install:\n        disk: /dev/sda\n    certSANs:", output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesWholeSection_RemovesIt()
    {
        var output = Merged(Base, "cluster:\n  $patch: delete\n");

        Assert.DoesNotContain("cluster", output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesAbsentKey_ChangesNothing()
    {
        Assert.Equal(Merged(Base), Merged(Base, "machine:\n  install:\n    image:\n      $patch: delete\n"));
    }

    [Fact]
    public void Apply_WhenPatchDeletesUnderMissingMapping_ReportsDeleteMissing()
    {
        var (_, diagnostics) = Merge(Base, "machine:\n  network:\n    hostname:\n      $patch: delete\n");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("patch-delete-missing", diagnostic.Code);
        Assert.Contains("machine.network", diagnostic.Message);
        Assert.Equal(4, diagnostic.Location.Line);
    }

    [Fact]
    public void Apply_WhenPatchDeletesListItem_RemovesTheMatchingItem()
    {
        var output = Merged(Interfaces, "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        $patch: delete\n");

        Assert.DoesNotContain("eth0", output);
        Assert.Contains("hardwareAddr", output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesAndAddsBackInterface_AppendsAFreshItem()
    {
        // Talos's configpatcher/testdata/patchdelete: deletes happen before merges.
        const string patch = """
            machine:
              network:
                interfaces:
                  - interface: eth0
                    $patch: delete
                  - interface: eth0
                    dummy: true

            """;

        var output = Merged(Interfaces, patch);

        Assert.EndsWith("""
                            - 10.0.0.5/24
                        - interface: eth0
                          dummy: true

            """, output);
        Assert.DoesNotContain("dhcp", output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesUnknownListItem_ReportsDeleteMissing()
    {
        var (_, diagnostics) = Merge(Interfaces, "machine:\n  network:\n    interfaces:\n      - interface: eth9\n        $patch: delete\n");

        Assert.Equal("patch-delete-missing", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Apply_WhenPatchDeletesInsideListItem_ReportsUnsupported()
    {
        var (output, diagnostics) = Merge(Interfaces, "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp:\n          $patch: delete\n");

        Assert.Equal("patch-delete-unsupported", Assert.Single(diagnostics).Code);
        Assert.Contains("dhcp: true", output);
    }

    private const string MultiDoc = """
        version: v1alpha1
        machine:
            type: worker
        ---
        apiVersion: v1alpha1
        kind: LinkConfig
        name: eth0
        mtu: 1500
        ---
        apiVersion: v1alpha1
        kind: LinkConfig
        name: eth1
        mtu: 1500
        ---
        apiVersion: v1alpha1
        kind: HostnameConfig
        auto: stable

        """;

    [Fact]
    public void Apply_WhenPatchDeletesDocument_RemovesIt()
    {
        var output = Merged(MultiDoc, "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n$patch: delete\n");

        Assert.DoesNotContain("eth0", output);
        Assert.Contains("name: eth1", output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesMissingDocument_ReportsDeleteMissing()
    {
        var (output, diagnostics) = Merge(MultiDoc, "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth7\n$patch: delete\n");

        Assert.Equal("patch-delete-missing", Assert.Single(diagnostics).Code);
        Assert.Equal(Merged(MultiDoc), output);
    }

    [Fact]
    public void Apply_WhenPatchDeletesV1Alpha1Document_ReportsUnsupported()
    {
        var (output, diagnostics) = Merge(MultiDoc, "version: v1alpha1\n$patch: delete\n");

        Assert.Equal("patch-delete-unsupported", Assert.Single(diagnostics).Code);
        Assert.Equal(Merged(MultiDoc), output);
    }

    [Fact]
    public void Apply_WhenPatchHasUnknownDirective_ReportsIt()
    {
        var (_, diagnostics) = Merge(Base, "machine:\n  install:\n    $patch: replace\n    disk: /dev/sdb\n");

        Assert.Equal("patch-unknown-directive", Assert.Single(diagnostics).Code);
    }

    // ---- documents (rules 1-3) ----

    [Fact]
    public void Apply_WhenPatchDocumentMatchesKindAndName_MergesIntoThatDocument()
    {
        var output = Merged(MultiDoc, "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nmtu: 9000\n");

        Assert.Contains("name: eth0\nmtu: 1500\n", output);
        Assert.Contains("name: eth1\nmtu: 9000\n", output);
    }

    [Fact]
    public void Apply_WhenPatchDocumentsHaveNoMatch_AppendsThemInPatchOrder()
    {
        const string patch = """
            apiVersion: v1alpha1
            kind: LinkConfig
            name: eth2
            mtu: 1400
            ---
            apiVersion: v1alpha1
            kind: ResolverConfig
            nameservers:
              - address: 1.1.1.1

            """;

        var output = Merged(MultiDoc, patch);

        Assert.EndsWith("""
            kind: HostnameConfig
            auto: stable
            ---
            apiVersion: v1alpha1
            kind: LinkConfig
            name: eth2
            mtu: 1400
            ---
            apiVersion: v1alpha1
            kind: ResolverConfig
            nameservers:
                - address: 1.1.1.1

            """, output);
    }

    [Fact]
    public void Apply_WhenPatchDocumentHasOtherApiVersion_AppendsIt()
    {
        var output = Merged(MultiDoc, "apiVersion: v1alpha2\nkind: HostnameConfig\nauto: off\n");

        Assert.EndsWith("---\napiVersion: v1alpha2\nkind: HostnameConfig\nauto: off\n", output);
    }

    [Fact]
    public void Apply_WhenPatchLeavesOutVersion_MergesIntoV1Alpha1Document()
    {
        var output = Merged(MultiDoc, "machine:\n  type: controlplane\n");

        Assert.StartsWith("version: v1alpha1\nmachine:\n    type: controlplane\n---\n", output);
    }

    [Fact]
    public void Apply_WhenV1Alpha1PatchHasOnlyVersion_ChangesNothing()
    {
        var config = "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n";

        Assert.Equal(config, Merged(config, "version: v1alpha1\n"));
    }

    [Fact]
    public void Apply_WhenPatchDocumentHasKindWithoutApiVersion_ReportsIdentity()
    {
        var (_, diagnostics) = Merge(MultiDoc, "kind: LinkConfig\nname: eth0\nmtu: 1\n");

        Assert.Equal("patch-document-identity", Assert.Single(diagnostics).Code);
    }

    // ---- the patch itself ----

    [Fact]
    public void Apply_WhenOnePatchIsAppliedToTwoConfigs_GivesBothTheSameResultAndLeavesPatchUnchanged()
    {
        var patch = Docs("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.9/24]\n");
        var patchBefore = Text(patch);
        var first = Docs(Interfaces);
        var second = Docs(Interfaces);

        Assert.Empty(StrategicMerge.Apply(first, patch, "p"));
        // A second patch changing what the first added must not reach back into the first patch.
        Assert.Empty(StrategicMerge.Apply(first, Docs("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.10/24]\n"), "q"));
        Assert.Empty(StrategicMerge.Apply(second, patch, "p"));

        Assert.Equal(patchBefore, Text(patch));
        Assert.Contains("10.0.0.10/24", Text(first));
        Assert.DoesNotContain("10.0.0.10/24", Text(second));
        Assert.Contains("10.0.0.9/24", Text(second));
    }

    [Fact]
    public void Apply_WhenNewSubtreeCarriesDirectives_LeavesThemOutOfTheConfig()
    {
        // The deletes find nothing to delete (and say so); the rest of the subtree is still added.
        var (output, diagnostics) = Merge("machine:\n  type: worker\n", "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        $patch: delete\n      - interface: eth1\n    hostname:\n      $patch: delete\n");

        Assert.All(diagnostics, d => Assert.Equal("patch-delete-missing", d.Code));
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal("machine:\n    type: worker\n    network:\n        interfaces:\n            - interface: eth1\n", output);
    }
}
