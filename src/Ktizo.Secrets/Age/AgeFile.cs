using System.Security.Cryptography;
using System.Text;
using Ktizo.Core;

namespace Ktizo.Crypto.Age;

/// <summary>
/// The age v1 file format (age-encryption.org/v1) with X25519 recipients, whole files in memory: what
/// <c>age -r</c> writes this reads, and what this writes <c>age -d</c> reads. Meant for the secrets bundle,
/// a few KB: files over <see cref="MaxFileBytes"/> are refused. Errors name the file, never key material.
/// </summary>
public static class AgeFile
{
    public const int MaxFileBytes = 1024 * 1024;
    private const string X25519Type = "X25519";
    private const string X25519Info = "age-encryption.org/v1/X25519";
    private const int FileKeySize = 16;
    private const int PayloadNonceSize = 16;
    private const int ChunkSize = 64 * 1024;

    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, IReadOnlyCollection<AgeRecipient> recipients)
    {
        if (recipients.Count == 0)
        {
            throw new KtizoException("age encryption needs at least one recipient (age1…)");
        }

        if (recipients.Count > AgeHeader.MaxStanzas)
        {
            throw new KtizoException($"at most {AgeHeader.MaxStanzas} age recipients");
        }

        if (plaintext.Length > MaxFileBytes)
        {
            throw new KtizoException($"refusing to encrypt over {MaxFileBytes / 1024} KiB: a secrets bundle is a few KB");
        }

        var fileKey = RandomNumberGenerator.GetBytes(FileKeySize);
        var stanzas = recipients.Select(r => Wrap(fileKey, r)).ToList();
        var macInput = AgeHeader.MacInput(stanzas);
        var mac = HeaderMac(fileKey, Encoding.ASCII.GetBytes(macInput));

        var output = new MemoryStream();
        output.Write(Encoding.ASCII.GetBytes($"{macInput} {AgeBase64.Encode(mac)}\n"));
        var nonce = RandomNumberGenerator.GetBytes(PayloadNonceSize);
        output.Write(nonce);
        var payloadKey = AgePrimitives.Hkdf(fileKey, nonce, "payload");
        var chunks = Math.Max(1, (plaintext.Length + ChunkSize - 1) / ChunkSize);
        for (var i = 0; i < chunks; i++)
        {
            var start = i * ChunkSize;
            var chunk = plaintext[start..Math.Min(plaintext.Length, start + ChunkSize)];
            output.Write(AgePrimitives.Seal(payloadKey, ChunkNonce(i, i == chunks - 1), chunk));
        }

        return output.ToArray();
    }

    /// <summary>The plaintext of <paramref name="file"/>, opened with any of <paramref name="identities"/>; <paramref name="name"/> names it in errors.</summary>
    public static byte[] Decrypt(byte[] file, IReadOnlyCollection<AgeIdentity> identities, string name)
    {
        if (file.Length > MaxFileBytes)
        {
            throw new KtizoException($"{name}: over {MaxFileBytes / 1024} KiB, refused (a secrets bundle is a few KB)");
        }

        var header = AgeHeader.Parse(file, name);
        if (header.Stanzas.Any(s => s.Type == "scrypt"))
        {
            throw new KtizoException($"{name}: encrypted with a passphrase (scrypt); Ktizo reads files encrypted to X25519 recipients (age -r age1…)");
        }

        var fileKey = Unwrap(header.Stanzas, identities, name)
            ?? throw new KtizoException($"{name}: none of the age identities given ({string.Join(", ", identities)}) is a recipient of this file");

        var expected = HeaderMac(fileKey, file.AsSpan(0, header.MacInputLength));
        if (!CryptographicOperations.FixedTimeEquals(expected, header.Mac))
        {
            throw new KtizoException($"{name}: the age header's MAC does not match (the header was changed)");
        }

        return DecryptPayload(file.AsSpan(header.Length), fileKey, name);
    }

    private static AgeStanza Wrap(byte[] fileKey, AgeRecipient recipient)
    {
        var ephemeral = RandomNumberGenerator.GetBytes(32);
        var share = AgePrimitives.PublicKey(ephemeral);
        var shared = AgePrimitives.Agree(ephemeral, recipient.PublicKey)
            ?? throw new KtizoException($"the age recipient {recipient} is not a usable X25519 key (low order)");
        var wrapKey = AgePrimitives.Hkdf(shared, [.. share, .. recipient.PublicKey], X25519Info);
        return new AgeStanza([X25519Type, AgeBase64.Encode(share)], AgePrimitives.Seal(wrapKey, new byte[12], fileKey));
    }

    private static byte[]? Unwrap(IReadOnlyList<AgeStanza> stanzas, IReadOnlyCollection<AgeIdentity> identities, string name)
    {
        foreach (var stanza in stanzas.Where(s => s.Type == X25519Type))
        {
            if (stanza.Arguments.Count != 2)
            {
                throw new KtizoException($"{name}: an X25519 stanza with {stanza.Arguments.Count - 1} arguments, not 1");
            }

            var share = AgeBase64.Decode(stanza.Arguments[1], $"{name}: an X25519 stanza's share");
            if (share.Length != 32 || stanza.Body.Length != FileKeySize + AgePrimitives.TagSize)
            {
                throw new KtizoException($"{name}: a malformed X25519 stanza (wrong share or body length)");
            }

            foreach (var identity in identities)
            {
                var shared = AgePrimitives.Agree(identity.Secret, share)
                    ?? throw new KtizoException($"{name}: an X25519 stanza with a low-order share");
                var wrapKey = AgePrimitives.Hkdf(shared, [.. share, .. identity.Recipient.PublicKey], X25519Info);
                if (AgePrimitives.Open(wrapKey, new byte[12], stanza.Body) is { } fileKey)
                {
                    return fileKey;
                }
            }
        }

        return null;
    }

    private static byte[] HeaderMac(byte[] fileKey, ReadOnlySpan<byte> macInput) =>
        HMACSHA256.HashData(AgePrimitives.Hkdf(fileKey, [], "header"), macInput);

    private static byte[] DecryptPayload(ReadOnlySpan<byte> payload, byte[] fileKey, string name)
    {
        if (payload.Length < PayloadNonceSize + AgePrimitives.TagSize)
        {
            throw new KtizoException($"{name}: the age payload is truncated");
        }

        var key = AgePrimitives.Hkdf(fileKey, payload[..PayloadNonceSize], "payload");
        var body = payload[PayloadNonceSize..];
        const int sealedChunk = ChunkSize + AgePrimitives.TagSize;
        var chunks = (body.Length + sealedChunk - 1) / sealedChunk;
        var lastLength = body.Length - (chunks - 1) * sealedChunk;
        if (lastLength < AgePrimitives.TagSize || (chunks > 1 && lastLength == AgePrimitives.TagSize))
        {
            // A trailing empty chunk is only valid as the sole chunk of an empty file.
            throw new KtizoException($"{name}: the age payload is truncated or has trailing bytes");
        }

        var plaintext = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            var chunk = body.Slice(i * sealedChunk, i == chunks - 1 ? lastLength : sealedChunk);
            var opened = AgePrimitives.Open(key, ChunkNonce(i, i == chunks - 1), chunk)
                ?? throw new KtizoException($"{name}: the age payload does not authenticate (changed, truncated or extended)");
            plaintext.Write(opened);
        }

        return plaintext.ToArray();
    }

    /// <summary>STREAM's nonce: an 11-byte big-endian chunk counter and a byte that is 1 on the last chunk.</summary>
    private static byte[] ChunkNonce(long counter, bool last)
    {
        var nonce = new byte[12];
        for (var i = 10; i >= 0; i--, counter >>= 8)
        {
            nonce[i] = (byte)counter;
        }

        nonce[11] = last ? (byte)1 : (byte)0;
        return nonce;
    }
}
