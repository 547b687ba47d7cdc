using Ktizo.Gatekeeper.Ui;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Security;

/// <summary>
/// Who is calling: <c>Authorization: Bearer &lt;token&gt;</c> when the request sends one (the API's way, also
/// accepted by the page), otherwise the page's sign-in cookie (<see cref="AdminSession"/>).
/// </summary>
public sealed class CallerAccess(AccessTokens tokens, AdminSession session)
{
    private const string Bearer = "Bearer ";

    public AccessTokens Tokens => tokens;

    public Caller Of(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
        {
            var token = header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? header[Bearer.Length..].Trim() : null;
            var role = tokens.RoleOf(token);
            return new Caller(role, WrongToken: role == CallerRole.Anonymous);
        }

        return new Caller(session.RoleOf(context), WrongToken: false);
    }
}
