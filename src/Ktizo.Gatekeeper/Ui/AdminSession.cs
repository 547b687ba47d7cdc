using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ktizo.Gatekeeper.Settings;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// The page's admin session: signing in with the AdminToken setting sets an HttpOnly, SameSite=Strict
/// cookie holding an expiry protected by ASP.NET Core data protection. Without the cookie the page is
/// read-only. Keys live in memory, so a restart (or another replica) asks for the token again.
/// </summary>
public sealed class AdminSession(GatekeeperOptions options, IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "ktizo-admin";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly IDataProtector _protector = protection.CreateProtector("Ktizo.Gatekeeper.Ui.AdminSession.v1");

    /// <summary>False when no AdminToken is configured: nobody can sign in and the page stays read-only.</summary>
    public bool Enabled => options.AdminToken is not null;

    public bool IsSignedIn(HttpContext context)
    {
        if (!Enabled || !context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return false;
        }

        try
        {
            var expires = long.Parse(_protector.Unprotect(value), NumberStyles.None, CultureInfo.InvariantCulture);
            return time.GetUtcNow().ToUnixTimeSeconds() < expires;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>Compares in constant time; sets the cookie when <paramref name="token"/> is the admin token.</summary>
    public bool TrySignIn(HttpContext context, string? token)
    {
        if (!Enabled || string.IsNullOrEmpty(token))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminToken!));
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            return false;
        }

        var expires = time.GetUtcNow().Add(Lifetime);
        context.Response.Cookies.Append(CookieName, _protector.Protect(expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
        return true;
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
}
