using System.Security.Cryptography;
using Ktizo.Core;

namespace Ktizo.Crypto.Age;

/// <summary>An age X25519 recipient, a public key: <c>age1…</c>.</summary>
public sealed class AgeRecipient
{
    public const string Hrp = "age";

    internal AgeRecipient(byte[] publicKey) => PublicKey = publicKey;

    internal byte[] PublicKey { get; }

    public static AgeRecipient Parse(string text)
    {
        var key = Bech32.Decode(text.Trim(), Hrp, "an age recipient (age1…)");
        if (key.Length != 32)
        {
            throw new KtizoException($"the age recipient {text.Trim()} holds {key.Length} bytes, not an X25519 key's 32");
        }

        return new AgeRecipient(key);
    }

    public override string ToString() => Bech32.Encode(Hrp, PublicKey);
}

/// <summary>
/// An age X25519 identity, a secret key: <c>AGE-SECRET-KEY-1…</c>. Its <see cref="ToString"/> is its public
/// recipient, so a log line or message that names it shows no secret; <see cref="Encode"/> gives the secret form.
/// </summary>
public sealed class AgeIdentity
{
    public const string Hrp = "AGE-SECRET-KEY-";

    /// <summary>An identity file is a few lines; anything far larger is not one.</summary>
    public const int MaxFileBytes = 64 * 1024;

    private readonly byte[] _secret;

    private AgeIdentity(byte[] secret)
    {
        _secret = secret;
        Recipient = new AgeRecipient(AgePrimitives.PublicKey(secret));
    }

    public AgeRecipient Recipient { get; }

    internal byte[] Secret => _secret;

    public static AgeIdentity Generate() => new(RandomNumberGenerator.GetBytes(32));

    public static AgeIdentity Parse(string text, string what)
    {
        var key = Bech32.Decode(text.Trim(), Hrp, what);
        if (key.Length != 32)
        {
            throw new KtizoException($"{what}: an age identity holds 32 bytes, this one {key.Length}");
        }

        return new AgeIdentity(key);
    }

    /// <summary>
    /// The identities in an identity file as <c>age-keygen</c> writes it: one <c>AGE-SECRET-KEY-1…</c> a line,
    /// with empty lines and <c>#</c> comments. <paramref name="path"/> names the file in errors.
    /// </summary>
    public static IReadOnlyList<AgeIdentity> ParseFile(string content, string path)
    {
        if (content.Length > MaxFileBytes)
        {
            throw new KtizoException($"the age identity file {path} is over {MaxFileBytes / 1024} KiB: not an identity file");
        }

        var identities = new List<AgeIdentity>();
        var number = 0;
        foreach (var raw in content.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!line.StartsWith(Hrp + "1", StringComparison.Ordinal))
            {
                throw new KtizoException($"{path}:{number}: not an age X25519 identity (expected AGE-SECRET-KEY-1…; other kinds such as SSH keys are not supported)");
            }

            identities.Add(Parse(line, $"{path}:{number}"));
        }

        if (identities.Count == 0)
        {
            throw new KtizoException($"the age identity file {path} holds no identity (expected a line AGE-SECRET-KEY-1…, as age-keygen writes)");
        }

        return identities;
    }

    /// <summary>The secret form, <c>AGE-SECRET-KEY-1…</c>: for an identity file only.</summary>
    public string Encode() => Bech32.Encode(Hrp, _secret, upperCase: true);

    public override string ToString() => Recipient.ToString();
}
