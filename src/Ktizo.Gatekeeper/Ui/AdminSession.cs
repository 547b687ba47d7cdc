using System.Globalization;
using System.Security.Cryptography;
using Ktizo.Gatekeeper.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// The page's session: signing in with the AdminToken or the ViewerToken sets an HttpOnly, SameSite=Strict
/// cookie holding the role and an expiry, protected by ASP.NET Core data protection. Without the cookie the page
/// shows only the sign-in form. Keys live in memory, so a restart (or another replica) asks for the token again.
/// </summary>
public sealed class AdminSession(AccessTokens tokens, IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "ktizo-admin";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly IDataProtector _protector = protection.CreateProtector("Ktizo.Gatekeeper.Ui.AdminSession.v2");

    /// <summary>False when neither token is configured: nobody can sign in and the page shows no device.</summary>
    public bool Enabled => tokens.ReadingEnabled;

    /// <summary>Signed in with the admin token (approve, reject, rendered configs).</summary>
    public bool IsSignedIn(HttpContext context) => RoleOf(context) == CallerRole.Admin;

    /// <summary>The role the cookie carries; anonymous without one, or with an expired or forged one.</summary>
    public CallerRole RoleOf(HttpContext context)
    {
        if (!Enabled || !context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return CallerRole.Anonymous;
        }

        try
        {
            var parts = _protector.Unprotect(value).Split(' ');
            var expires = long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
            var role = parts.Length == 2 && Enum.TryParse<CallerRole>(parts[1], out var r) && Enum.IsDefined(r) ? r : CallerRole.Anonymous;
            return time.GetUtcNow().ToUnixTimeSeconds() < expires ? role : CallerRole.Anonymous;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or OverflowException)
        {
            return CallerRole.Anonymous;
        }
    }

    /// <summary>Compares in constant time (<see cref="AccessTokens"/>); sets the cookie when <paramref name="token"/> is one of the two tokens.</summary>
    public CallerRole TrySignIn(HttpContext context, string? token)
    {
        var role = Enabled ? tokens.RoleOf(token) : CallerRole.Anonymous;
        if (role == CallerRole.Anonymous)
        {
            return role;
        }

        var expires = time.GetUtcNow().Add(Lifetime);
        var value = string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()} {role}");
        context.Response.Cookies.Append(CookieName, _protector.Protect(value), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
        return role;
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
}
