using System.Text;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// A made-up bundle of the right shape for rendering without the real secrets (validate, diff, render in CI):
/// tokens in Talos's form, 32-byte base64 secrets, base64 of PEM blocks with the armour types talosctl writes.
/// Every value says "KTIZO PLACEHOLDER" when decoded; none is a key, so nothing can run on it, and the gatekeeper
/// refuses to serve a set rendered with it.
/// </summary>
public static class PlaceholderSecrets
{
    public static SecretsBundle Bundle { get; } = Create();

    private static SecretsBundle Create() =>
        new(
            ClusterId: Base64Of32("KTIZO PLACEHOLDER CLUSTER ID....", urlSafe: true),
            ClusterSecret: Base64Of32("KTIZO PLACEHOLDER CLUSTER SECRET", urlSafe: false),
            BootstrapToken: "ktizo0.placeholder00000",
            SecretboxEncryptionSecret: Base64Of32("KTIZO PLACEHOLDER SECRETBOX KEY.", urlSafe: false),
            AescbcEncryptionSecret: null,
            TrustdToken: "ktizo1.placeholder00001",
            Etcd: Authority("ETCD CA", "EC"),
            K8s: Authority("KUBERNETES CA", "EC"),
            K8sAggregator: Authority("AGGREGATOR CA", "EC"),
            K8sServiceAccountKey: Pem("RSA PRIVATE KEY", "KTIZO PLACEHOLDER SERVICE ACCOUNT KEY"),
            Os: Authority("TALOS API CA", "ED25519"))
        {
            IsPlaceholder = true,
        };

    private static CertificateAndKey Authority(string name, string keyType) =>
        new(Pem("CERTIFICATE", $"KTIZO PLACEHOLDER {name} CERTIFICATE"), Pem($"{keyType} PRIVATE KEY", $"KTIZO PLACEHOLDER {name} KEY"));

    private static string Pem(string type, string text)
    {
        var body = Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        return Convert.ToBase64String(Encoding.ASCII.GetBytes($"-----BEGIN {type}-----\n{body}\n-----END {type}-----\n"));
    }

    private static string Base64Of32(string text, bool urlSafe)
    {
        var base64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        return urlSafe ? base64.Replace('+', '-').Replace('/', '_') : base64;
    }
}
