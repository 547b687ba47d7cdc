using System.Text;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// Writes a bundle in the layout <c>talosctl gen secrets</c> writes: Talos's YAML encoder with four-space indents,
/// the Go field names lower-cased (Talos's <c>Bundle</c> has no YAML tags), sections in struct order. This is also
/// the canonical form the fingerprint hashes, so a bundle read and written again hashes the same.
/// </summary>
public static class SecretsBundleWriter
{
    public static string Write(SecretsBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var sb = new StringBuilder(8192);
        sb.Append("cluster:\n");
        Field(sb, 1, "id", bundle.ClusterId);
        Field(sb, 1, "secret", bundle.ClusterSecret);
        sb.Append("secrets:\n");
        Field(sb, 1, "bootstraptoken", bundle.BootstrapToken);
        if (bundle.AescbcEncryptionSecret is { } aescbc)
        {
            Field(sb, 1, "aescbcencryptionsecret", aescbc);
        }

        if (bundle.SecretboxEncryptionSecret is { } secretbox)
        {
            Field(sb, 1, "secretboxencryptionsecret", secretbox);
        }

        sb.Append("trustdinfo:\n");
        Field(sb, 1, "token", bundle.TrustdToken);
        sb.Append("certs:\n");
        Pair(sb, "etcd", bundle.Etcd);
        Pair(sb, "k8s", bundle.K8s);
        Pair(sb, "k8saggregator", bundle.K8sAggregator);
        sb.Append("    k8sserviceaccount:\n");
        Field(sb, 2, "key", bundle.K8sServiceAccountKey);
        Pair(sb, "os", bundle.Os);
        return sb.ToString();
    }

    private static void Pair(StringBuilder sb, string name, CertificateAndKey pair)
    {
        sb.Append("    ").Append(name).Append(":\n");
        Field(sb, 2, "crt", pair.Crt);
        Field(sb, 2, "key", pair.Key);
    }

    // Every value was checked on the way in (base64 or a token): plain scalars need no quoting.
    private static void Field(StringBuilder sb, int depth, string key, string value) =>
        sb.Append(' ', depth * 4).Append(key).Append(": ").Append(value).Append('\n');
}
