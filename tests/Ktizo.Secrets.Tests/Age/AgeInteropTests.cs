using System.Security.Cryptography;
using Ktizo.Core;
using Ktizo.Crypto.Age;

namespace Ktizo.Secrets.Tests.Age;

/// <summary>Ktizo's age against Debian's real age, both ways.</summary>
public sealed class AgeInteropTests : IDisposable
{
    private readonly AgeTool _age = new();

    public void Dispose() => _age.Dispose();

    private static IReadOnlyList<AgeIdentity> Identities(string file) => AgeIdentity.ParseFile(File.ReadAllText(file), file);

    // Sizes around STREAM's 64 KiB chunks: empty, small, exactly one chunk, one byte over, several chunks.
    public static TheoryData<int> Sizes => new() { 0, 1, 5000, 65536, 65537, 200_000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Decrypt_WhatAgeEncrypted_GivesThePlaintext(int size)
    {
        var (identity, recipient) = _age.KeyGen("key.txt");
        var plaintext = RandomNumberGenerator.GetBytes(size);
        File.WriteAllBytes(_age.PathOf("plain"), plaintext);
        _age.Run("age", "-r", recipient, "-o", _age.PathOf("plain.age"), _age.PathOf("plain"));

        var opened = AgeFile.Decrypt(File.ReadAllBytes(_age.PathOf("plain.age")), Identities(identity), "plain.age");

        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Encrypt_AgeDecryptsIt(int size)
    {
        var (identity, recipient) = _age.KeyGen("key.txt");
        var plaintext = RandomNumberGenerator.GetBytes(size);
        File.WriteAllBytes(_age.PathOf("plain.age"), AgeFile.Encrypt(plaintext, [AgeRecipient.Parse(recipient)]));

        _age.Run("age", "-d", "-i", identity, "-o", _age.PathOf("opened"), _age.PathOf("plain.age"));

        // age creates its output file on the first byte written: an empty plaintext leaves none.
        var opened = _age.PathOf("opened");
        Assert.Equal(plaintext, File.Exists(opened) ? File.ReadAllBytes(opened) : []);
    }

    [Fact]
    public void Encrypt_ToSeveralRecipients_EachAgeIdentityDecrypts()
    {
        var keys = Enumerable.Range(0, 3).Select(i => _age.KeyGen($"key{i}.txt")).ToList();
        var plaintext = "cluster:\n    id: x\n"u8.ToArray();
        File.WriteAllBytes(_age.PathOf("b.age"), AgeFile.Encrypt(plaintext, keys.Select(k => AgeRecipient.Parse(k.Recipient)).ToList()));

        foreach (var (identity, _) in keys)
        {
            var output = _age.PathOf(Path.GetFileName(identity) + ".out");
            _age.Run("age", "-d", "-i", identity, "-o", output, _age.PathOf("b.age"));
            Assert.Equal(plaintext, File.ReadAllBytes(output));
        }
    }

    [Fact]
    public void Decrypt_AgeFileForSeveralRecipients_OpensWithTheLastOne()
    {
        var first = _age.KeyGen("a.txt");
        var second = _age.KeyGen("b.txt");
        File.WriteAllText(_age.PathOf("plain"), "hello");
        _age.Run("age", "-r", first.Recipient, "-r", second.Recipient, "-o", _age.PathOf("p.age"), _age.PathOf("plain"));

        var opened = AgeFile.Decrypt(File.ReadAllBytes(_age.PathOf("p.age")), Identities(second.IdentityFile), "p.age");

        Assert.Equal("hello"u8.ToArray(), opened);
    }

    [Fact]
    public void Decrypt_WithAWrongIdentity_FailsNamingTheFileAndNoSecret()
    {
        var right = _age.KeyGen("right.txt");
        var wrong = _age.KeyGen("wrong.txt");
        File.WriteAllText(_age.PathOf("plain"), "hello");
        _age.Run("age", "-r", right.Recipient, "-o", _age.PathOf("p.age"), _age.PathOf("plain"));
        var identities = Identities(wrong.IdentityFile);

        var error = Assert.Throws<KtizoException>(() => AgeFile.Decrypt(File.ReadAllBytes(_age.PathOf("p.age")), identities, "secrets/bundle.yaml.age"));

        Assert.Contains("secrets/bundle.yaml.age", error.Message, StringComparison.Ordinal);
        Assert.Contains("none of the age identities", error.Message, StringComparison.Ordinal);
        Assert.Contains(wrong.Recipient, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AGE-SECRET-KEY", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AgeDecrypt_WithAWrongIdentity_FailsOnWhatKtizoEncrypted()
    {
        var right = _age.KeyGen("right.txt");
        var wrong = _age.KeyGen("wrong.txt");
        File.WriteAllBytes(_age.PathOf("p.age"), AgeFile.Encrypt("hello"u8, [AgeRecipient.Parse(right.Recipient)]));

        var (code, error) = _age.TryRun("age", "-d", "-i", wrong.IdentityFile, "-o", _age.PathOf("out"), _age.PathOf("p.age"));

        Assert.NotEqual(0, code);
        Assert.Contains("no identity matched", error, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityGeneratedByKtizo_AgeKeygenDerivesTheSameRecipient()
    {
        var identity = AgeIdentity.Generate();
        File.WriteAllText(_age.PathOf("k.txt"), identity.Encode() + "\n");

        Assert.Equal(identity.Recipient.ToString(), _age.Run("age-keygen", "-y", _age.PathOf("k.txt")).Trim());
    }

    [Fact]
    public void IdentityFromAgeKeygen_KtizoDerivesTheSameRecipientAndEncoding()
    {
        var (file, recipient) = _age.KeyGen("k.txt");
        var secretLine = File.ReadAllLines(file).Single(l => l.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));

        var identity = Identities(file).Single();

        Assert.Equal(recipient, identity.Recipient.ToString());
        Assert.Equal(secretLine, identity.Encode());
        Assert.Equal(recipient, identity.ToString());
    }
}
