using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ktizo.Core.ClusterSecrets;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Ktizo.Crypto.Generation;

/// <summary>
/// Self-signed certificate authorities as Talos's generator makes them (siderolabs/crypto
/// <c>NewSelfSignedCertificateAuthority</c>): a random 128-bit serial and random subject key id, CA basic
/// constraints, key usage cert-sign and digital-signature, extended key usage server and client auth, valid from
/// now for <see cref="Validity"/>. Keys: ECDSA P-256 with SHA-256 (etcd, Kubernetes, aggregator; PEM
/// <c>EC PRIVATE KEY</c>) and Ed25519 (Talos API; PKCS#8 in PEM <c>ED25519 PRIVATE KEY</c>).
/// </summary>
public static class Authorities
{
    /// <summary>Talos's <c>CAValidityTime</c>: 87,600 hours.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromHours(87600);

    /// <summary>An ECDSA P-256 CA; <paramref name="organization"/> null gives an empty subject (Talos's aggregator CA).</summary>
    public static CertificateAndKey Ecdsa(string? organization, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedName(organization is null ? "" : $"O={organization}");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(RandomNumberGenerator.GetBytes(20), false));
        using var certificate = request.Create(subject, X509SignatureGenerator.CreateForECDsa(key), now, now + Validity, Serial());
        return new CertificateAndKey(Base64(certificate.ExportCertificatePem()), Base64(key.ExportECPrivateKeyPem()));
    }

    /// <summary>The Talos API CA: Ed25519, organization "talos" (BouncyCastle: .NET has no Ed25519).</summary>
    public static CertificateAndKey Ed25519(string organization, DateTimeOffset now)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var name = new X509Name($"O={organization}");
        var certificate = new X509V3CertificateGenerator();
        certificate.SetSerialNumber(new BigInteger(1, Serial()));
        certificate.SetIssuerDN(name);
        certificate.SetSubjectDN(name);
        certificate.SetNotBefore(now.UtcDateTime);
        certificate.SetNotAfter((now + Validity).UtcDateTime);
        certificate.SetPublicKey(pair.Public);
        certificate.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        certificate.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.DigitalSignature));
        certificate.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth));
        certificate.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(RandomNumberGenerator.GetBytes(20)));
        var signed = certificate.Generate(new Asn1SignatureFactory("Ed25519", pair.Private));

        // PKCS#8 version 1 with the 32-byte seed and no public key: what Go's MarshalPKCS8PrivateKey writes.
        var seed = ((Ed25519PrivateKeyParameters)pair.Private).GetEncoded();
        var pkcs8 = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed)).GetDerEncoded();
        return new CertificateAndKey(
            Base64(PemEncoding.WriteString("CERTIFICATE", signed.GetEncoded())),
            Base64(PemEncoding.WriteString("ED25519 PRIVATE KEY", pkcs8)));
    }

    /// <summary>The Kubernetes service-account key: RSA 4096 in PKCS#1 (<c>RSA PRIVATE KEY</c>), as Talos after 1.6 makes it.</summary>
    public static string RsaServiceAccountKey()
    {
        using var rsa = RSA.Create(4096);
        return Base64(rsa.ExportRSAPrivateKeyPem());
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive, below 2^128 as Talos's
        return serial;
    }

    // PEM text with a final newline (Go's pem.Encode ends every block with one), as base64: the bundle's form.
    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem.EndsWith('\n') ? pem : pem + "\n"));
}
