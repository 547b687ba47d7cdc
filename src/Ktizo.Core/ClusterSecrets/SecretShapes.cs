using System.Text;
using System.Text.RegularExpressions;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// The shapes of the values in a secrets bundle, as Talos's generator makes them: tokens <c>[a-z0-9]{6}.[a-z0-9]{16}</c>
/// (kubeadm's bootstrap-token form, also trustd's), 32 random bytes in base64, certificates and keys as base64 of PEM.
/// </summary>
public static partial class SecretShapes
{
    /// <summary>A bootstrap or trustd token, whole.</summary>
    [GeneratedRegex("^[a-z0-9]{6}\\.[a-z0-9]{16}$", RegexOptions.CultureInvariant)]
    public static partial Regex Token();

    /// <summary>A token anywhere in a line (not part of a longer word).</summary>
    [GeneratedRegex("(?<![A-Za-z0-9._-])[a-z0-9]{6}\\.[a-z0-9]{16}(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    public static partial Regex TokenInText();

    /// <summary>A PEM private-key armour line, of any key type (RSA, EC, ED25519, PKCS#8, OpenSSH …).</summary>
    [GeneratedRegex("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    public static partial Regex PemPrivateKey();

    /// <summary>The bytes of standard or URL-safe base64 (Talos writes the cluster id URL-safe), or null.</summary>
    public static byte[]? DecodeBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>The PEM text a base64 value holds when it holds one (<c>LS0tLS1CRUdJTi</c> is base64 of "-----BEGIN"), else null.</summary>
    public static string? DecodePem(string base64)
    {
        if (!base64.StartsWith("LS0tLS1CRUdJTi", StringComparison.Ordinal))
        {
            return null;
        }

        var bytes = DecodeBase64(base64);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>True when <paramref name="base64"/> is base64 of a PEM block whose armour type ends with <paramref name="type"/>.</summary>
    public static bool IsPem(string base64, string type)
    {
        var pem = DecodePem(base64);
        if (pem is null)
        {
            return false;
        }

        var begin = pem.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        var end = pem.IndexOf("-----", begin + 11, StringComparison.Ordinal);
        return begin == 0 && end > 0 && pem[(begin + 11)..end].EndsWith(type, StringComparison.Ordinal)
            && pem.Contains("-----END ", StringComparison.Ordinal);
    }
}
