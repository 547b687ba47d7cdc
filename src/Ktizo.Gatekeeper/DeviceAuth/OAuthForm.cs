using System.Text;
using Ktizo.Core.DeviceAuth;
using Ktizo.Gatekeeper.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>
/// The form body of <c>POST /device/code</c> and <c>POST /token</c>, read with bounds: what golang.org/x/oauth2
/// sends is a few hundred bytes, so the body is capped, each field is capped, and a field given twice is
/// refused (RFC 6749 §3.2). The client id may come in the form or as HTTP Basic (x/oauth2 tries both).
/// </summary>
public sealed class OAuthForm
{
    public const int MaxBodyBytes = 4096;
    public const int MaxFieldLength = 256;

    /// <summary>The only client: <c>talos.config.oauth.client_id=ktizo</c>.</summary>
    public const string ClientId = "ktizo";

    private readonly Dictionary<string, StringValues> _fields;

    private OAuthForm(Dictionary<string, StringValues> fields) => _fields = fields;

    /// <summary>The form, or the RFC error code and description that refuse it.</summary>
    public static async Task<(OAuthForm? Form, string? Error, string? Description)> ReadAsync(HttpRequest request)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, OAuthErrors.InvalidRequest, "The body must be application/x-www-form-urlencoded.");
        }

        var (body, tooLarge) = await JsonBody.ReadLimitedAsync(request, MaxBodyBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            return (null, OAuthErrors.InvalidRequest, $"The body is larger than {MaxBodyBytes} bytes.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return (null, OAuthErrors.InvalidRequest, "The body is not valid UTF-8.");
        }

        var fields = QueryHelpers.ParseQuery(text);
        foreach (var (name, values) in fields)
        {
            if (values.Count > 1)
            {
                return (null, OAuthErrors.InvalidRequest, $"The field '{Shown(name)}' is given more than once.");
            }

            if (values[0]?.Length > MaxFieldLength)
            {
                return (null, OAuthErrors.InvalidRequest, $"The field '{Shown(name)}' is longer than {MaxFieldLength} characters.");
            }
        }

        var form = new OAuthForm(fields);
        return form.CheckClient(request.Headers.Authorization) is { } problem
            ? (null, OAuthErrors.InvalidClient, problem)
            : (form, null, null);
    }

    /// <summary>A field's value, or null when absent or empty.</summary>
    public string? this[string name] => _fields.TryGetValue(name, out var value) && value[0] is { Length: > 0 } text ? text : null;

    private string? CheckClient(StringValues authorization)
    {
        string? fromHeader = null;
        if (authorization.Count == 1 && authorization[0] is { } header && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                // x/oauth2 url-encodes both halves before joining them (RFC 6749 §2.3.1).
                fromHeader = Uri.UnescapeDataString(colon < 0 ? pair : pair[..colon]);
            }
            catch (FormatException)
            {
                return "The Basic credentials are not base64.";
            }
        }

        var fromForm = this["client_id"];
        if (fromHeader is not null && fromForm is not null && fromHeader != fromForm)
        {
            return "The client id in the form and in the Basic credentials differ.";
        }

        return (fromHeader ?? fromForm) == ClientId ? null : $"Unknown client: use talos.config.oauth.client_id={ClientId}.";
    }

    private static string Shown(string name) => name.Length > 32 ? name[..32] + "…" : name.ReplaceLineEndings(" ");
}
