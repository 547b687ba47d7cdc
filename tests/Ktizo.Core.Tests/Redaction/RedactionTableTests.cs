using System.Text.RegularExpressions;
using Ktizo.Core.Redaction;

namespace Ktizo.Core.Tests.Redaction;

/// <summary>
/// The tables as a listing, entry by entry with the Talos source that decides it: a change to a table must
/// change this listing too, and no entry can exist without a source.
/// </summary>
public sealed partial class RedactionTableTests
{
    private const string Provider = "pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: (*Config).Redact";
    private const string SideroLink = "pkg/machinery/config/types/siderolink/siderolink.go: (*ConfigV1Alpha1).Redact";

    private static readonly string[] V1_11 =
    [
        $"v1alpha1 | machine.token | {Provider}",
        $"v1alpha1 | machine.ca.key | {Provider}",
        $"v1alpha1 | cluster.secret | {Provider}",
        $"v1alpha1 | cluster.token | {Provider}",
        $"v1alpha1 | cluster.aescbcEncryptionSecret | {Provider}",
        $"v1alpha1 | cluster.secretboxEncryptionSecret | {Provider}",
        $"v1alpha1 | cluster.serviceAccount.key | {Provider}",
        $"v1alpha1 | cluster.ca.key | {Provider}",
        $"v1alpha1 | cluster.aggregatorCA.key | {Provider}",
        $"v1alpha1 | cluster.etcd.ca.key | {Provider}",
        $"v1alpha1/SideroLinkConfig | apiUrl?jointoken | {SideroLink}",
    ];

    private static readonly string[] V1_12 =
    [
        .. V1_11,
        "v1alpha1/RegistryAuthConfig | password | pkg/machinery/config/types/cri/registry_auth.go: (*RegistryAuthConfigV1Alpha1).Redact",
        "v1alpha1/RegistryAuthConfig | auth | pkg/machinery/config/types/cri/registry_auth.go: (*RegistryAuthConfigV1Alpha1).Redact",
        "v1alpha1/RegistryAuthConfig | identityToken | pkg/machinery/config/types/cri/registry_auth.go: (*RegistryAuthConfigV1Alpha1).Redact",
        "v1alpha1/RegistryTLSConfig | clientIdentity.key | pkg/machinery/config/types/cri/registry_tls.go: (*RegistryTLSConfigV1Alpha1).Redact",
        "v1alpha1/WireguardConfig | privateKey | pkg/machinery/config/types/network/wireguard.go: (*WireguardConfigV1Alpha1).Redact",
        "v1alpha1/WireguardConfig | peers[].presharedKey | pkg/machinery/config/types/network/wireguard.go: (*WireguardPeer).Redact",
    ];

    private static readonly string[] V1_13 =
    [
        .. V1_12,
        $"v1alpha1 | machine.registries.config.*.auth.password | since .3 | {Provider}",
        $"v1alpha1 | machine.registries.config.*.auth.auth | since .3 | {Provider}",
        $"v1alpha1 | machine.registries.config.*.auth.identityToken | since .3 | {Provider}",
        $"v1alpha1 | machine.registries.config.*.tls.clientIdentity.key | since .3 | {Provider}",
        "v1alpha1 | machine.network.interfaces[].wireguard.privateKey | since .3 | pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactDeviceSecrets",
        "v1alpha1 | machine.network.interfaces[].vip.equinixMetal.apiToken | since .3 | pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactVIPSecrets",
        "v1alpha1 | machine.network.interfaces[].vip.hcloud.apiToken | since .3 | pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactVIPSecrets",
        "v1alpha1 | machine.network.interfaces[].vlans[].vip.equinixMetal.apiToken | since .3 | pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactVIPSecrets",
        "v1alpha1 | machine.network.interfaces[].vlans[].vip.hcloud.apiToken | since .3 | pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactVIPSecrets",
        $"v1alpha1 | machine.systemDiskEncryption.state.keys[].static.passphrase | since .3 | {Provider}",
        $"v1alpha1 | machine.systemDiskEncryption.ephemeral.keys[].static.passphrase | since .3 | {Provider}",
        $"v1alpha1/SideroLinkConfig | uniqueToken | since .3 | {SideroLink}",
        "v1alpha1/HCloudVIPConfig | apiToken | since .3 | pkg/machinery/config/types/network/hcloud_vip.go: (*HCloudVIPConfigV1Alpha1).Redact",
        "v1alpha1/VolumeConfig | encryption.keys[].static.passphrase | since .3 | pkg/machinery/config/types/block/encryption.go: (*EncryptionSpec).Redact, from (*VolumeConfigV1Alpha1).Redact",
        "v1alpha1/UserVolumeConfig | encryption.keys[].static.passphrase | since .3 | pkg/machinery/config/types/block/encryption.go: (*EncryptionSpec).Redact, from (*UserVolumeConfigV1Alpha1).Redact",
        "v1alpha1/RawVolumeConfig | encryption.keys[].static.passphrase | since .3 | pkg/machinery/config/types/block/encryption.go: (*EncryptionSpec).Redact, from (*RawVolumeConfigV1Alpha1).Redact",
        "v1alpha1/SwapVolumeConfig | encryption.keys[].static.passphrase | since .3 | pkg/machinery/config/types/block/encryption.go: (*EncryptionSpec).Redact, from (*SwapVolumeConfigV1Alpha1).Redact",
    ];

    public static TheoryData<string, string[]> Tables => new()
    {
        { "1.11", V1_11 },
        { "1.12", V1_12 },
        { "1.13", V1_13 },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Table_ListsEveryEntryWithItsTalosSource(string minor, string[] expected)
    {
        Assert.Equal(expected, RedactionTable.ByMinor[minor].Select(Listing));
    }

    [Fact]
    public void Table_CoversExactlyTheSupportedMinors()
    {
        Assert.Equal(["1.11", "1.12", "1.13"], RedactionTable.ByMinor.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryEntry_NamesATalosConfigTypesFileAndFunction()
    {
        foreach (var rule in RedactionTable.ByMinor.Values.SelectMany(r => r))
        {
            Assert.Matches(SourcePattern(), rule.TalosSource);
            Assert.Matches(DocumentPattern(), rule.Document);
            Assert.DoesNotContain(string.Empty, rule.Segments);
        }
    }

    [Theory]
    [InlineData("v1.13.9", "Talos v1.13.9", 34)]
    [InlineData("v1.13.3", "Talos v1.13.3", 34)]
    [InlineData("v1.13.2", "Talos v1.13.2", 17)]
    [InlineData("1.13", "Talos v1.13", 34)]
    [InlineData("v1.12.11", "Talos v1.12.11", 17)]
    [InlineData("v1.11.0", "Talos v1.11.0", 11)]
    public void For_ASupportedVersion_TakesItsMinorsTableUpToItsPatch(string version, string name, int entries)
    {
        var table = RedactionTable.For(version);

        Assert.Equal(name, table.Name);
        Assert.Equal(entries, table.Rules.Count);
        Assert.Null(table.Note);
    }

    [Theory]
    [InlineData("v1.14.0", "Talos v1.14 has no redaction table")]
    [InlineData("v1.10.7", "Talos v1.10 has no redaction table")]
    [InlineData("latest", "'latest' is not a version")]
    public void For_AVersionWithoutATable_TakesEveryTablesEntriesAndSaysSo(string version, string note)
    {
        var table = RedactionTable.For(version);

        Assert.Equal(RedactionTable.All.Rules, table.Rules);
        Assert.Contains(note, table.Note, StringComparison.Ordinal);
        Assert.Equal(V1_13.Length, table.Rules.Count);
    }

    [Theory]
    [InlineData("v1.11.6")]
    [InlineData("v1.12.11")]
    [InlineData("v1.13.2")]
    public void ForReaders_AnOlderRelease_StillHidesWhatALaterTalosRedacts(string version)
    {
        var table = RedactionTable.ForReaders(version);

        Assert.Equal(RedactionTable.All.Rules, table.Rules);
        Assert.Contains(table.Rules, r => r.Document == "v1alpha1/VolumeConfig");
        Assert.True(RedactionTable.For(version).Rules.Count < table.Rules.Count);
        Assert.StartsWith($"Talos {version}", table.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Union_AcrossAnUpgrade_HoldsBothVersionsEntries()
    {
        var union = RedactionTable.For("v1.12.11").Union(RedactionTable.For("v1.13.9"));

        Assert.Equal(RedactionTable.For("v1.13.9").Rules, union.Rules);
        Assert.Equal("Talos v1.12.11 and Talos v1.13.9", union.Name);
        Assert.Null(union.Note);
    }

    private static string Listing(RedactionRule r) =>
        string.Join(" | ", new[]
        {
            r.Document,
            r.QueryParameter is null ? r.Path : $"{r.Path}?{r.QueryParameter}",
            r.SincePatch == 0 ? null : $"since .{r.SincePatch}",
            r.TalosSource,
        }.Where(s => s is not null));

    [GeneratedRegex(@"^pkg/machinery/config/types/[a-z0-9_]+/[a-z0-9_]+\.go: (\(\*[A-Za-z0-9]+\)\.)?[A-Za-z0-9]+(, from \(\*[A-Za-z0-9]+\)\.Redact)?$")]
    private static partial Regex SourcePattern();

    [GeneratedRegex(@"^v1alpha1(/[A-Z][A-Za-z0-9]+)?$")]
    private static partial Regex DocumentPattern();
}
