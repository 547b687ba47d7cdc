using System.Security.Cryptography;

namespace Ktizo.Crypto.Generation;

/// <summary>Random values in the forms Talos's generator makes them.</summary>
public static class Tokens
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>A bootstrap or trustd token: 6 and 16 characters of [a-z0-9], joined by a dot.</summary>
    public static string Token() => Characters(6) + "." + Characters(16);

    /// <summary>Base64 of 32 random bytes (cluster secret, encryption secret), or URL-safe base64 (cluster id).</summary>
    public static string Random32(bool urlSafe = false)
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return urlSafe ? text.Replace('+', '-').Replace('/', '_') : text;
    }

    // GetInt32 draws without modulo bias, which is what Talos's rejection of bytes over 251 is for.
    private static string Characters(int length) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
}
