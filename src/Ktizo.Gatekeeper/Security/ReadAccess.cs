using Ktizo.Gatekeeper.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ktizo.Gatekeeper.Security;

/// <summary>The API's answer to a caller who may not read devices: 401, <c>WWW-Authenticate: Bearer</c>, a problem body.</summary>
internal static class ReadAccess
{
    public const string Closed = "Reading devices is closed: set ViewerToken or AdminToken to read devices.";

    /// <summary>Null when the caller may read devices; otherwise the 401 to answer.</summary>
    public static ProblemHttpResult? Refusal(HttpContext context, CallerAccess access)
    {
        var caller = access.Of(context);
        if (caller.MayRead)
        {
            return null;
        }

        context.Response.Headers.WWWAuthenticate = caller.WrongToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Problems.Unauthorized(
            !access.Tokens.ReadingEnabled ? Closed
            : caller.WrongToken ? "The bearer token is neither the viewer token nor the admin token."
            : "Send the viewer or admin token as 'Authorization: Bearer <token>'.");
    }
}
