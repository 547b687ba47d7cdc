using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;

namespace Ktizo.Secrets.Tests;

public class BundleGeneratorTests
{
    // RSA 4096 takes a moment: one bundle for the whole class.
    private static readonly Lazy<SecretsBundle> Generated = new(() => BundleGenerator.Generate());

    private static string Pem(string base64) => Encoding.ASCII.GetString(Convert.FromBase64String(base64));

    [Fact]
    public void Generate_WritesAndReadsBackInTalosctlLayout()
    {
        var bundle = Generated.Value;
        var text = SecretsBundleWriter.Write(bundle);

        var read = SecretsBundleReader.Read(text, "secrets.yaml", out var errors);

        Assert.Empty(errors);
        Assert.Equal(text, SecretsBundleWriter.Write(read!));
        Assert.StartsWith("cluster:\n    id: ", text, StringComparison.Ordinal);
        Assert.Contains("\ncerts:\n    etcd:\n        crt: ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_TokensAndSecrets_HaveTalosShapes()
    {
        var bundle = Generated.Value;

        Assert.Matches("^[a-z0-9]{6}\\.[a-z0-9]{16}$", bundle.BootstrapToken);
        Assert.Matches("^[a-z0-9]{6}\\.[a-z0-9]{16}$", bundle.TrustdToken);
        Assert.Equal(32, SecretShapes.DecodeBase64(bundle.ClusterId)!.Length);
        Assert.DoesNotContain('+', bundle.ClusterId);
        Assert.DoesNotContain('/', bundle.ClusterId);
        Assert.Equal(32, Convert.FromBase64String(bundle.ClusterSecret).Length);
        Assert.Equal(32, Convert.FromBase64String(bundle.SecretboxEncryptionSecret!).Length);
        Assert.Null(bundle.AescbcEncryptionSecret);
    }

    [Fact]
    public void Generate_TwoBundles_ShareNoValue()
    {
        var other = BundleGenerator.Generate();

        Assert.Empty(Generated.Value.Values().Intersect(other.Values()));
        Assert.NotEqual(Generated.Value.Fingerprint, other.Fingerprint);
    }

    [Theory]
    [InlineData("etcd", "O=etcd")]
    [InlineData("k8s", "O=kubernetes")]
    [InlineData("k8saggregator", "")]
    public void Generate_EcdsaAuthorities_AreP256CasForTenYears(string name, string subject)
    {
        var ca = name switch { "etcd" => Generated.Value.Etcd, "k8s" => Generated.Value.K8s, _ => Generated.Value.K8sAggregator };

        using var certificate = X509Certificate2.CreateFromPem(Pem(ca.Crt), Pem(ca.Key));
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", Pem(ca.Key), StringComparison.Ordinal);
        Assert.Equal(subject, certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        using var key = certificate.GetECDsaPrivateKey()!;
        Assert.Equal(256, key.KeySize);
        Assert.True(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(Authorities.Validity, certificate.NotAfter - certificate.NotBefore);
    }

    [Fact]
    public void Generate_ServiceAccountKey_IsRsa4096Pkcs1()
    {
        var pem = Pem(Generated.Value.K8sServiceAccountKey);

        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(4096, rsa.KeySize);
    }

    [Fact]
    public void Generate_TalosApiCa_IsEd25519InGosPkcs8Form()
    {
        var key = Pem(Generated.Value.Os.Key);
        Assert.StartsWith("-----BEGIN ED25519 PRIVATE KEY-----\n", key, StringComparison.Ordinal);
        var der = Convert.FromBase64String(key.Split('\n')[1]);

        // PKCS#8 v1, algorithm 1.3.101.112, a 32-byte seed: 48 bytes, as Go's MarshalPKCS8PrivateKey.
        Assert.Equal(48, der.Length);
        Assert.Equal(Convert.FromHexString("302e020100300506032b657004220420"), der[..16]);
        using var certificate = X509Certificate2.CreateFromPem(Pem(Generated.Value.Os.Crt));
        Assert.Equal("O=talos", certificate.Subject);
        Assert.Equal("1.3.101.112", certificate.PublicKey.Oid.Value);
    }

    /// <summary>openssl is the outside judge of the PEMs (Debian has it; tests/install-deps.sh installs it).</summary>
    [Fact]
    public void Generate_EveryPem_IsReadByOpenssl()
    {
        Assert.True(Tool.Exists("openssl"), "openssl is missing: run tests/install-deps.sh");
        var bundle = Generated.Value;
        foreach (var (name, ca) in new[] { ("etcd", bundle.Etcd), ("k8s", bundle.K8s), ("aggregator", bundle.K8sAggregator), ("os", bundle.Os) })
        {
            var x509 = Tool.Run("openssl", ["x509", "-noout", "-text"], Convert.FromBase64String(ca.Crt));
            Assert.True(x509.Code == 0, $"{name} crt: {x509.Error}");
            Assert.Contains("CA:TRUE", x509.Out, StringComparison.Ordinal);
            Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", x509.Out, StringComparison.Ordinal);

            // The key matches the certificate: the same public key from both.
            var fromCert = Tool.Run("openssl", ["x509", "-noout", "-pubkey"], Convert.FromBase64String(ca.Crt));
            var keyPem = Encoding.ASCII.GetString(Convert.FromBase64String(ca.Key));
            var pkcs8 = keyPem.Replace("ED25519 PRIVATE KEY", "PRIVATE KEY", StringComparison.Ordinal); // openssl knows only the generic armour for Ed25519
            var fromKey = Tool.Run("openssl", ["pkey", "-pubout"], Encoding.ASCII.GetBytes(pkcs8));
            Assert.True(fromKey.Code == 0, $"{name} key: {fromKey.Error}");
            Assert.Equal(fromCert.Out, fromKey.Out);
            Assert.Contains(name == "os" ? "ED25519" : "ecdsa-with-SHA256", x509.Out, StringComparison.Ordinal);
        }

        var rsa = Tool.Run("openssl", ["pkey", "-noout", "-text"], Convert.FromBase64String(bundle.K8sServiceAccountKey));
        Assert.True(rsa.Code == 0, rsa.Error);
        Assert.Contains("4096 bit", rsa.Out, StringComparison.Ordinal);
    }
}
