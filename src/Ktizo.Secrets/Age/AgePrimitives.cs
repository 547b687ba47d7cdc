using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Ktizo.Crypto.Age;

/// <summary>The primitives age is built on, each from BouncyCastle: HKDF-SHA-256, ChaCha20-Poly1305, X25519.</summary>
internal static class AgePrimitives
{
    public const int TagSize = 16;

    public static byte[] Hkdf(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, string info, int length = 32)
    {
        var generator = new HkdfBytesGenerator(new Sha256Digest());
        generator.Init(new HkdfParameters(ikm.ToArray(), salt.ToArray(), System.Text.Encoding.ASCII.GetBytes(info)));
        var output = new byte[length];
        generator.GenerateBytes(output, 0, length);
        return output;
    }

    public static byte[] Seal(byte[] key, byte[] nonce, ReadOnlySpan<byte> plaintext)
    {
        var cipher = Cipher(true, key, nonce);
        var output = new byte[cipher.GetOutputSize(plaintext.Length)];
        var written = cipher.ProcessBytes(plaintext, output);
        cipher.DoFinal(output.AsSpan(written));
        return output;
    }

    /// <summary>The plaintext, or null when the tag does not match (wrong key, or the bytes were changed).</summary>
    public static byte[]? Open(byte[] key, byte[] nonce, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < TagSize)
        {
            return null;
        }

        var cipher = Cipher(false, key, nonce);
        var output = new byte[cipher.GetOutputSize(ciphertext.Length)];
        try
        {
            var written = cipher.ProcessBytes(ciphertext, output);
            cipher.DoFinal(output.AsSpan(written));
            return output;
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }

    public static byte[] PublicKey(byte[] secret)
    {
        var result = new byte[X25519.PointSize];
        X25519.ScalarMultBase(secret, 0, result, 0);
        return result;
    }

    /// <summary>The shared secret, or null when it is all zeros (a low-order point: age rejects it).</summary>
    public static byte[]? Agree(byte[] secret, byte[] publicKey)
    {
        var result = new byte[X25519.PointSize];
        return X25519.CalculateAgreement(secret, 0, publicKey, 0, result, 0) ? result : null;
    }

    private static ChaCha20Poly1305 Cipher(bool encrypt, byte[] key, byte[] nonce)
    {
        var cipher = new ChaCha20Poly1305();
        cipher.Init(encrypt, new AeadParameters(new KeyParameter(key), TagSize * 8, nonce));
        return cipher;
    }
}
