using System.Security.Cryptography;
using System.Text;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// A certificate authority as the bundle and the machine config both hold it: base64 of the PEM certificate and
/// base64 of the PEM private key (the service-account entry has a key only).
/// </summary>
public sealed record CertificateAndKey(string Crt, string Key)
{
    /// <summary>Never the values: a record would print them.</summary>
    public override string ToString() => "CertificateAndKey(redacted)";
}

/// <summary>
/// The cluster's secrets: one bundle in the format <c>talosctl gen secrets</c> writes (Talos's
/// <c>pkg/machinery/config/generate/secrets</c> <c>Bundle</c>: cluster, secrets, trustdinfo, certs). The renderer
/// puts each value where Talos's own <c>gen config</c> puts it (<see cref="SecretsPlacement"/>). Exactly one of the
/// two encryption secrets is set: secretbox for Talos after 1.2, AES-CBC for older bundles.
/// </summary>
public sealed record SecretsBundle(
    string ClusterId,
    string ClusterSecret,
    string BootstrapToken,
    string? SecretboxEncryptionSecret,
    string? AescbcEncryptionSecret,
    string TrustdToken,
    CertificateAndKey Etcd,
    CertificateAndKey K8s,
    CertificateAndKey K8sAggregator,
    string K8sServiceAccountKey,
    CertificateAndKey Os)
{
    /// <summary>
    /// True for <see cref="PlaceholderSecrets.Bundle"/>: values of the right shape that no cluster can run on, for
    /// validate, diff and render without the real bundle. The gatekeeper never serves a set rendered with them.
    /// </summary>
    public bool IsPlaceholder { get; init; }

    /// <summary>
    /// The first 16 hex digits of the SHA-256 of the bundle in its canonical form (<see cref="SecretsBundleWriter"/>):
    /// what an operator compares across gatekeeper replicas. It says which bundle, never what is in it.
    /// </summary>
    public string Fingerprint =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SecretsBundleWriter.Write(this))))[..16];

    /// <summary>Every secret value, for tests and for scrubbing text before it is shown (keys, tokens, secrets; the certificates too).</summary>
    public IEnumerable<string> Values()
    {
        yield return ClusterId;
        yield return ClusterSecret;
        yield return BootstrapToken;
        if (SecretboxEncryptionSecret is { } secretbox)
        {
            yield return secretbox;
        }

        if (AescbcEncryptionSecret is { } aescbc)
        {
            yield return aescbc;
        }

        yield return TrustdToken;
        foreach (var ca in new[] { Etcd, K8s, K8sAggregator, Os })
        {
            yield return ca.Crt;
            yield return ca.Key;
        }

        yield return K8sServiceAccountKey;
    }

    /// <summary>Never the values: a record would print them into any log line or message that formats it.</summary>
    public override string ToString() => $"SecretsBundle({(IsPlaceholder ? "placeholder" : "fingerprint " + Fingerprint)})";
}
