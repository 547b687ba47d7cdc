namespace Ktizo.Core.Redaction;

/// <summary>
/// What Talos v1.11 redacts (the same at every tag v1.11.0 … v1.11.6): only the v1alpha1 document and
/// SideroLinkConfig implement <c>config.SecretDocument</c> in that minor.
/// </summary>
internal static class TalosV1_11Redactions
{
    internal const string Provider = "pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go: (*Config).Redact";
    internal const string SideroLink = "pkg/machinery/config/types/siderolink/siderolink.go: (*ConfigV1Alpha1).Redact";

    public static IReadOnlyList<RedactionRule> Rules { get; } =
    [
        new(RedactionRule.V1Alpha1, "machine.token", Provider),
        new(RedactionRule.V1Alpha1, "machine.ca.key", Provider),
        new(RedactionRule.V1Alpha1, "cluster.secret", Provider),
        new(RedactionRule.V1Alpha1, "cluster.token", Provider),
        new(RedactionRule.V1Alpha1, "cluster.aescbcEncryptionSecret", Provider),
        new(RedactionRule.V1Alpha1, "cluster.secretboxEncryptionSecret", Provider),
        new(RedactionRule.V1Alpha1, "cluster.serviceAccount.key", Provider),
        new(RedactionRule.V1Alpha1, "cluster.ca.key", Provider),
        new(RedactionRule.V1Alpha1, "cluster.aggregatorCA.key", Provider),
        new(RedactionRule.V1Alpha1, "cluster.etcd.ca.key", Provider),

        // Talos replaces the value of the jointoken query parameter and keeps the rest of the URL.
        new("v1alpha1/SideroLinkConfig", "apiUrl", SideroLink, QueryParameter: "jointoken"),
    ];
}
