using System.Security.Cryptography;
using System.Text;
using Ktizo.Core;
using Ktizo.Crypto.Age;

namespace Ktizo.Secrets.Tests.Age;

/// <summary>The strict reading of age files: every change, truncation or extension is refused with a reason.</summary>
public class AgeFormatTests
{
    private static readonly AgeIdentity Identity = AgeIdentity.Generate();

    private static byte[] Sealed(int size = 100) => AgeFile.Encrypt(RandomNumberGenerator.GetBytes(size), [Identity.Recipient]);

    private static string Fails(byte[] file)
    {
        var error = Assert.Throws<KtizoException>(() => AgeFile.Decrypt(file, [Identity], "bundle.age"));
        Assert.StartsWith("bundle.age", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Identity.Encode(), error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    private static int HeaderLength(byte[] file) => file.AsSpan().IndexOf("\n--- "u8) + 5 + 43 + 1;

    private static byte[] ReplaceHeader(byte[] file, Func<string, string> change)
    {
        var length = HeaderLength(file);
        var header = change(Encoding.ASCII.GetString(file, 0, length));
        return [.. Encoding.ASCII.GetBytes(header), .. file.AsSpan(length)];
    }

    [Fact]
    public void Encrypt_WritesTheV1HeaderWithOneX25519StanzaPerRecipient()
    {
        var other = AgeIdentity.Generate();
        var file = AgeFile.Encrypt("x"u8, [Identity.Recipient, other.Recipient]);
        var lines = Encoding.ASCII.GetString(file, 0, HeaderLength(file)).Split('\n');

        Assert.Equal("age-encryption.org/v1", lines[0]);
        Assert.Matches("^-> X25519 [A-Za-z0-9+/]{43}$", lines[1]);
        Assert.Matches("^[A-Za-z0-9+/]{43}$", lines[2]);
        Assert.Matches("^-> X25519 [A-Za-z0-9+/]{43}$", lines[3]);
        Assert.Matches("^--- [A-Za-z0-9+/]{43}$", lines[5]);
        Assert.Equal("x"u8.ToArray(), AgeFile.Decrypt(file, [other], "f"));
        // 16-byte nonce, then one chunk: 1 byte and its 16-byte tag.
        Assert.Equal(HeaderLength(file) + 16 + 1 + 16, file.Length);
    }

    [Fact]
    public void Decrypt_AChangedPayloadByte_Fails()
    {
        var file = Sealed();
        file[^5] ^= 1;

        Assert.Contains("does not authenticate", Fails(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_AChangedNonce_Fails()
    {
        var file = Sealed();
        file[HeaderLength(file)] ^= 1;

        Assert.Contains("does not authenticate", Fails(file), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(117)]
    public void Decrypt_ATruncatedFile_Fails(int cut)
    {
        var file = Sealed();

        Fails(file[..^cut]);
    }

    [Fact]
    public void Decrypt_AFileCutAtAChunkBoundary_Fails()
    {
        // Two chunks; dropping the last leaves a full chunk that was not sealed as the last one.
        var file = Sealed(65536 + 10);

        Assert.Contains("does not authenticate", Fails(file[..^(10 + 16)]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(65552)]
    public void Decrypt_AnExtendedFile_Fails(int extra)
    {
        Fails([.. Sealed(), .. new byte[extra]]);
    }

    [Fact]
    public void Decrypt_AnotherValidMac_Fails()
    {
        var file = ReplaceHeader(Sealed(), h => h[..^44] + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=') + "\n");

        Assert.Contains("MAC does not match", Fails(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_AnAddedStanza_FailsTheMac()
    {
        var file = ReplaceHeader(Sealed(), h => h.Replace("\n--- ", "\n-> unknown-kind arg\nAAAA\n--- ", StringComparison.Ordinal));

        Assert.Contains("MAC does not match", Fails(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_NonCanonicalBase64_Fails()
    {
        // The share's last character carries two unused bits; setting one leaves the bytes the same.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var file = ReplaceHeader(Sealed(), h =>
        {
            var end = h.IndexOf('\n', 22 + 1);
            return h[..(end - 1)] + alphabet[alphabet.IndexOf(h[end - 1], StringComparison.Ordinal) ^ 1] + h[end..];
        });

        Assert.Contains("non-canonical base64", Fails(file), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("age-encryption.org/v2\n", "not an age v1 file")]
    [InlineData("", "ends early")]
    [InlineData("hello", "ends early")]
    [InlineData("-----BEGIN AGE ENCRYPTED FILE-----\n", "armored")]
    [InlineData("age-encryption.org/v1\r\n", "outside printable ASCII")]
    [InlineData("age-encryption.org/v1\n--- AAAA\n", "MAC is 3 bytes")]
    [InlineData("age-encryption.org/v1\n--- 9MwA9GyyuSwjHq6wc8PqttC0JnNrPPdaviyXDwIUR70\n", "no recipient stanza")]
    [InlineData("age-encryption.org/v1\n-> X25519  abc\n\n", "empty argument")]
    [InlineData("age-encryption.org/v1\n# x\n", "malformed age header line")]
    [InlineData("age-encryption.org/v1\n-> X25519 AAAA\n\n--- 9MwA9GyyuSwjHq6wc8PqttC0JnNrPPdaviyXDwIUR70\n", "malformed X25519 stanza")]
    [InlineData("age-encryption.org/v1\n-> X25519 AAAA extra\n\n--- 9MwA9GyyuSwjHq6wc8PqttC0JnNrPPdaviyXDwIUR70\n", "2 arguments")]
    [InlineData("age-encryption.org/v1\n-> scrypt AAAA 18\n\n--- 9MwA9GyyuSwjHq6wc8PqttC0JnNrPPdaviyXDwIUR70\n", "passphrase")]
    [InlineData("age-encryption.org/v1\n-> other\n\n--- 9MwA9GyyuSwjHq6wc8PqttC0JnNrPPdaviyXDwIUR70\n", "none of the age identities")]
    public void Decrypt_AMalformedHeader_SaysWhy(string header, string expected)
    {
        Assert.Contains(expected, Fails(Encoding.ASCII.GetBytes(header)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_ABodyLineOver64Columns_Fails()
    {
        var header = "age-encryption.org/v1\n-> other\n" + new string('A', 65) + "\n";

        Assert.Contains("longer than 64", Fails(Encoding.ASCII.GetBytes(header)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_MoreThan20Stanzas_Fails()
    {
        var header = "age-encryption.org/v1\n" + string.Concat(Enumerable.Repeat("-> other\n\n", 21));

        Assert.Contains("more than 20", Fails(Encoding.ASCII.GetBytes(header)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_OverOneMebibyte_IsRefusedUnread()
    {
        Assert.Contains("over 1024 KiB", Fails(new byte[(1024 * 1024) + 1]), StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypt_BoundsItsInput()
    {
        Assert.Throws<KtizoException>(() => AgeFile.Encrypt(new byte[(1024 * 1024) + 1], [Identity.Recipient]));
        Assert.Throws<KtizoException>(() => AgeFile.Encrypt("x"u8, []));
        Assert.Throws<KtizoException>(() => AgeFile.Encrypt("x"u8, Enumerable.Repeat(Identity.Recipient, 21).ToList()));
    }
}
