namespace Ktizo.Core.Redaction;

/// <summary>
/// What Talos v1.13 redacts. v1.13.0 … v1.13.2 redact exactly v1.12's list; v1.13.3 (commit 7dc716d85,
/// "redact more machine config secrets") added the v1alpha1 registry, interface and disk-encryption
/// secrets, SideroLinkConfig's uniqueToken, HCloudVIPConfig and the volume documents' static passphrases,
/// unchanged through v1.13.9. Those entries carry <see cref="RedactionRule.SincePatch"/> 3.
/// </summary>
internal static class TalosV1_13Redactions
{
    private const int Since = 3;
    private const string Device = "pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactDeviceSecrets";
    private const string Vip = "pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: redactVIPSecrets";
    private const string HCloudVip = "pkg/machinery/config/types/network/hcloud_vip.go: (*HCloudVIPConfigV1Alpha1).Redact";

    // Each volume document's Redact hands its encryption spec to this one.
    private const string Encryption = "pkg/machinery/config/types/block/encryption.go: (*EncryptionSpec).Redact";

    public static IReadOnlyList<RedactionRule> Rules { get; } =
    [
        .. TalosV1_12Redactions.Rules,
        new(RedactionRule.V1Alpha1, "machine.registries.config.*.auth.password", TalosV1_11Redactions.Provider, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.registries.config.*.auth.auth", TalosV1_11Redactions.Provider, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.registries.config.*.auth.identityToken", TalosV1_11Redactions.Provider, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.registries.config.*.tls.clientIdentity.key", TalosV1_11Redactions.Provider, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.network.interfaces[].wireguard.privateKey", Device, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.network.interfaces[].vip.equinixMetal.apiToken", Vip, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.network.interfaces[].vip.hcloud.apiToken", Vip, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.network.interfaces[].vlans[].vip.equinixMetal.apiToken", Vip, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.network.interfaces[].vlans[].vip.hcloud.apiToken", Vip, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.systemDiskEncryption.state.keys[].static.passphrase", TalosV1_11Redactions.Provider, SincePatch: Since),
        new(RedactionRule.V1Alpha1, "machine.systemDiskEncryption.ephemeral.keys[].static.passphrase", TalosV1_11Redactions.Provider, SincePatch: Since),
        new("v1alpha1/SideroLinkConfig", "uniqueToken", TalosV1_11Redactions.SideroLink, SincePatch: Since),
        new("v1alpha1/HCloudVIPConfig", "apiToken", HCloudVip, SincePatch: Since),
        new("v1alpha1/VolumeConfig", "encryption.keys[].static.passphrase", Encryption + ", from (*VolumeConfigV1Alpha1).Redact", SincePatch: Since),
        new("v1alpha1/UserVolumeConfig", "encryption.keys[].static.passphrase", Encryption + ", from (*UserVolumeConfigV1Alpha1).Redact", SincePatch: Since),
        new("v1alpha1/RawVolumeConfig", "encryption.keys[].static.passphrase", Encryption + ", from (*RawVolumeConfigV1Alpha1).Redact", SincePatch: Since),
        new("v1alpha1/SwapVolumeConfig", "encryption.keys[].static.passphrase", Encryption + ", from (*SwapVolumeConfigV1Alpha1).Redact", SincePatch: Since),
    ];
}
