using Ktizo.Gatekeeper.Observability;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// What a machine reports as its uuid (Talos's <c>${uuid}</c>, the SMBIOS UUID as text) is stored and shown,
/// so only a UUID is accepted: 8-4-4-4-12 hex digits, any case. Anything else (<c>\r\nX-Injected: 1</c>) is
/// dropped and counted (<c>ktizo_uuid_dropped_total</c>); the request is answered as if it had sent none.
/// </summary>
internal static class Uuid
{
    public static bool IsValid(ReadOnlySpan<char> text) => Guid.TryParseExact(text, "D", out _);

    /// <summary>The uuid when it is one; null (counted) when it is anything else; null when none was sent.</summary>
    public static string? Checked(string? text, GatekeeperMetrics metrics)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (IsValid(text))
        {
            return text;
        }

        metrics.UuidDropped.Inc();
        return null;
    }
}
