using Ktizo.Core;

namespace Ktizo.Crypto.Age;

/// <summary>age's base64: the standard alphabet without padding, and only the canonical encoding (unused bits zero).</summary>
internal static class AgeBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=');

    public static byte[] Decode(string text, string what)
    {
        if (text.Length % 4 == 1 || text.Any(c => !(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/')))
        {
            throw new KtizoException($"{what}: not unpadded standard base64");
        }

        var padded = text + new string('=', (4 - text.Length % 4) % 4);
        var data = Convert.FromBase64String(padded);
        if (!string.Equals(Encode(data), text, StringComparison.Ordinal))
        {
            throw new KtizoException($"{what}: non-canonical base64 (unused bits set)");
        }

        return data;
    }
}
