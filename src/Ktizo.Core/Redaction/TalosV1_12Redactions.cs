namespace Ktizo.Core.Redaction;

/// <summary>
/// What Talos v1.12 redacts (the same at every tag v1.12.0 … v1.12.11): v1.11's list, plus the new
/// RegistryAuthConfig, RegistryTLSConfig and WireguardConfig documents. Its v1alpha1 <c>Redact</c> is
/// v1.11's unchanged: <c>machine.registries</c> and <c>machine.network</c> secrets are not redacted in this minor.
/// </summary>
internal static class TalosV1_12Redactions
{
    private const string RegistryAuth = "pkg/machinery/config/types/cri/registry_auth.go: (*RegistryAuthConfigV1Alpha1).Redact";
    private const string RegistryTls = "pkg/machinery/config/types/cri/registry_tls.go: (*RegistryTLSConfigV1Alpha1).Redact";
    private const string Wireguard = "pkg/machinery/config/types/network/wireguard.go: (*WireguardConfigV1Alpha1).Redact";
    private const string WireguardPeer = "pkg/machinery/config/types/network/wireguard.go: (*WireguardPeer).Redact";

    public static IReadOnlyList<RedactionRule> Rules { get; } =
    [
        .. TalosV1_11Redactions.Rules,
        new("v1alpha1/RegistryAuthConfig", "password", RegistryAuth),
        new("v1alpha1/RegistryAuthConfig", "auth", RegistryAuth),
        new("v1alpha1/RegistryAuthConfig", "identityToken", RegistryAuth),
        new("v1alpha1/RegistryTLSConfig", "clientIdentity.key", RegistryTls),
        new("v1alpha1/WireguardConfig", "privateKey", Wireguard),
        new("v1alpha1/WireguardConfig", "peers[].presharedKey", WireguardPeer),
    ];
}
