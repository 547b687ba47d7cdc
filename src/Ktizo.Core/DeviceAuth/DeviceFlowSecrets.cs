using System.Security.Cryptography;
using System.Text;

namespace Ktizo.Core.DeviceAuth;

/// <summary>
/// The values a flow hands out. Device codes and tokens are 32 random bytes, base64url (43 characters), and
/// are kept only as their SHA-256: the store and memory hold nothing that opens a config. User codes follow
/// RFC 8628 §6.1: eight characters from twenty consonants without vowels (no words, no 0/O or 1/I confusion),
/// shown as <c>XXXX-XXXX</c>, about 34.5 bits, enough for a code that lives minutes and is only ever
/// entered behind the admin token.
/// </summary>
public static class DeviceFlowSecrets
{
    public const string UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";
    public const int UserCodeLength = 8;
    public const int SecretBytes = 32;

    /// <summary>base64url of 32 bytes, without padding.</summary>
    public const int SecretLength = 43;

    public static string NewSecret()
    {
        Span<byte> bytes = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The lookup key of a device code or token: lower-case hex SHA-256 of its text.</summary>
    public static string Hash(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = stackalloc byte[SecretLength * 3];
        if (secret.Length > SecretLength)
        {
            secret = secret[..(SecretLength + 1)]; // longer than any secret: hashes to something never stored
        }

        var n = Encoding.UTF8.GetBytes(secret, utf8);
        return Convert.ToHexStringLower(SHA256.HashData(utf8[..n]));
    }

    /// <summary>True when <paramref name="text"/> has the shape of a secret this server hands out.</summary>
    public static bool LooksLikeSecret(ReadOnlySpan<char> text)
    {
        if (text.Length != SecretLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new user code, <c>XXXX-XXXX</c>, uniformly drawn from the alphabet.</summary>
    public static string NewUserCode()
    {
        Span<char> code = stackalloc char[UserCodeLength + 1];
        Span<byte> one = stackalloc byte[1];
        var i = 0;
        while (i < UserCodeLength)
        {
            RandomNumberGenerator.Fill(one);
            // 240 is the largest multiple of 20 below 256: rejecting the rest keeps every letter equally likely.
            if (one[0] >= 240)
            {
                continue;
            }

            code[i < 4 ? i : i + 1] = UserCodeAlphabet[one[0] % UserCodeAlphabet.Length];
            i++;
        }

        code[4] = '-';
        return new string(code);
    }

    /// <summary>
    /// A user code as typed (any case, with or without the hyphen or spaces) in its shown form, or null when
    /// it cannot be one.
    /// </summary>
    public static string? NormalizeUserCode(string? typed)
    {
        if (typed is null || typed.Length > 32)
        {
            return null;
        }

        var letters = new StringBuilder(UserCodeLength + 1);
        foreach (var c in typed)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (!UserCodeAlphabet.Contains(upper, StringComparison.Ordinal) || letters.Length == UserCodeLength + 1)
            {
                return null;
            }

            letters.Append(upper);
            if (letters.Length == 4)
            {
                letters.Append('-');
            }
        }

        return letters.Length == UserCodeLength + 1 ? letters.ToString() : null;
    }
}
