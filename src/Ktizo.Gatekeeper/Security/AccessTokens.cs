using System.Security.Cryptography;
using System.Text;
using Ktizo.Gatekeeper.Settings;

namespace Ktizo.Gatekeeper.Security;

/// <summary>
/// The two bearer secrets (AdminToken, ViewerToken) and the one way to compare a presented token with them: both
/// sides hashed to equal length and compared in constant time, always against both, so neither the length nor
/// which token matched shows in the time taken.
/// </summary>
public sealed class AccessTokens(GatekeeperOptions options)
{
    private readonly byte[]? _admin = Hash(options.AdminToken);
    private readonly byte[]? _viewer = Hash(options.ViewerToken);

    /// <summary>False when neither token is set: the device list and page are closed to everyone.</summary>
    public bool ReadingEnabled => _admin is not null || _viewer is not null;

    public bool AdminEnabled => _admin is not null;

    /// <summary>The role <paramref name="token"/> grants; <see cref="CallerRole.Anonymous"/> for none or a wrong one.</summary>
    public CallerRole RoleOf(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return CallerRole.Anonymous;
        }

        var given = Hash(token)!;
        var admin = _admin is not null && CryptographicOperations.FixedTimeEquals(given, _admin);
        var viewer = _viewer is not null && CryptographicOperations.FixedTimeEquals(given, _viewer);
        return admin ? CallerRole.Admin : viewer ? CallerRole.Viewer : CallerRole.Anonymous;
    }

    private static byte[]? Hash(string? token) => token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
