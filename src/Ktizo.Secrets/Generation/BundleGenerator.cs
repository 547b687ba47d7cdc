using Ktizo.Core.ClusterSecrets;

namespace Ktizo.Crypto.Generation;

/// <summary>
/// A new secrets bundle with real keys of the types <c>talosctl gen secrets</c> makes for Talos 1.13
/// (Talos's <c>secrets.NewBundle</c>): see <see cref="Authorities"/> and <see cref="Tokens"/>.
/// </summary>
public static class BundleGenerator
{
    public static SecretsBundle Generate(TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        return new SecretsBundle(
            ClusterId: Tokens.Random32(urlSafe: true),
            ClusterSecret: Tokens.Random32(),
            BootstrapToken: Tokens.Token(),
            SecretboxEncryptionSecret: Tokens.Random32(),
            AescbcEncryptionSecret: null,
            TrustdToken: Tokens.Token(),
            Etcd: Authorities.Ecdsa("etcd", now),
            K8s: Authorities.Ecdsa("kubernetes", now),
            K8sAggregator: Authorities.Ecdsa(null, now),
            K8sServiceAccountKey: Authorities.RsaServiceAccountKey(),
            Os: Authorities.Ed25519("talos", now));
    }
}
