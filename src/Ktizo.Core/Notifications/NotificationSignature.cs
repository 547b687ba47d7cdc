using System.Security.Cryptography;

namespace Ktizo.Core.Notifications;

/// <summary>
/// GitHub's webhook signature scheme, outgoing: <c>X-Ktizo-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>
/// keyed with the receiver's secret. A receiver computes the same over the bytes it received and compares in constant time.
/// </summary>
public static class NotificationSignature
{
    public const string Header = "X-Ktizo-Signature-256";

    public const string EventIdHeader = "X-Ktizo-Event-Id";

    public const string EventTypeHeader = "X-Ktizo-Event";

    public static string Sign(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/> (constant time).</summary>
    public static bool Verify(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Sign(secret, body)), System.Text.Encoding.ASCII.GetBytes(header));
}
