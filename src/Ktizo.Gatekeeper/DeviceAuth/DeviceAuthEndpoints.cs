using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Http;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Ui;
using Ktizo.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>
/// The OAuth 2.0 device authorization server Talos's config download speaks (RFC 8628 through
/// golang.org/x/oauth2; ../shared/notes/talos-config-auth.md): <c>POST /device/code</c> and <c>POST /token</c>
/// at the paths Talos derives from the <c>talos.config</c> URL, and the administrator's confirm and re-arm calls.
/// docs/device-auth.md describes the modes.
/// </summary>
public static class DeviceAuthEndpoints
{
    public const string DeviceCodePath = "/device/code";
    public const string TokenPath = "/token";
    public const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    // Longer is no MAC or uuid; the form cap already bounds them, this keeps the log and store tidy.
    private const int MaxUuidLength = 64;

    public static IServiceCollection AddDeviceAuth(this IServiceCollection services)
    {
        services.AddSingleton<DeviceAuthMetrics>();
        services.AddSingleton<DeviceAuthService>();
        services.AddSingleton<IBearerAuthorizer>(sp => sp.GetRequiredService<DeviceAuthService>());
        return services;
    }

    public static IEndpointRouteBuilder MapDeviceAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(DeviceCodePath, DeviceCodeAsync).ExcludeFromDescription();
        endpoints.MapPost(TokenPath, TokenAsync).ExcludeFromDescription();
        endpoints.MapPost("/api/v1/device-auth/confirm", ConfirmAsync);
        endpoints.MapPost("/api/v1/device-auth/rearm", RearmAsync);
        endpoints.MapGet("/api/v1/device-auth/flows", ListFlows);
        endpoints.MapDeviceFlowsPage();
        return endpoints;
    }

    internal static async Task<IResult> DeviceCodeAsync(
        HttpContext context, DeviceAuthService service, DeviceSightings sightings, GatekeeperOptions options, ILogger<DeviceAuthService> logger)
    {
        NoStore(context);
        var (form, error, description) = await OAuthForm.ReadAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            return Error(error!, description);
        }

        if (!TryIdentity(form, out var mac, out var uuid, out var problem))
        {
            return problem;
        }

        FlowStart start;
        try
        {
            // A device request is how a machine with deviceAuth on first asks for its config (it downloads only
            // with a token): it is a sighting like the download's, so an unknown machine gets its pending issue.
            var address = context.Connection.RemoteIpAddress;
            string? userAgent = context.Request.Headers.UserAgent;
            if (!sightings.TryTouch(mac, ObservationKind.Request, address, userAgent, uuid))
            {
                await sightings.RecordAsync(mac, ObservationKind.Request, address, userAgent, uuid, context.RequestAborted).ConfigureAwait(false);
            }

            start = await service.StartAsync(mac, uuid, context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeviceAuthLog.StoreFailed(logger, ex, mac);
            return Error(OAuthErrors.TemporarilyUnavailable, "The flow could not be recorded; retry shortly.");
        }

        if (start.Flow is not { } flow)
        {
            return Error(start.Error!, start.Description);
        }

        var expiresIn = (int)Math.Ceiling((flow.ExpiresAt - flow.StartedAt).TotalSeconds);
        return TypedResults.Json(
            new DeviceCodeResponse(start.DeviceCode!, flow.UserCode, VerificationUri(context.Request, options), expiresIn, (int)flow.Interval.TotalSeconds),
            ApiJson.Options);
    }

    internal static async Task<IResult> TokenAsync(HttpContext context, DeviceAuthService service, ILogger<DeviceAuthService> logger)
    {
        NoStore(context);
        var (form, error, description) = await OAuthForm.ReadAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            return Error(error!, description);
        }

        switch (form["grant_type"])
        {
            case null:
                return Error(OAuthErrors.InvalidRequest, "grant_type is missing.");
            case not DeviceCodeGrant:
                return Error(OAuthErrors.UnsupportedGrantType, $"Only {DeviceCodeGrant} is supported.");
        }

        if (form["device_code"] is not { } deviceCode)
        {
            return Error(OAuthErrors.InvalidRequest, "device_code is missing.");
        }

        if (!TryIdentity(form, out var mac, out var uuid, out var problem))
        {
            return problem;
        }

        PollResult result;
        try
        {
            result = await service.PollAsync(deviceCode, mac, uuid, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeviceAuthLog.StoreFailed(logger, ex, mac);
            return Error(OAuthErrors.TemporarilyUnavailable, "The token could not be recorded; start again.");
        }

        if (result.AccessToken is not { } accessToken)
        {
            return Error(result.Error!, result.Description);
        }

        return TypedResults.Json(new TokenResponse(accessToken, "Bearer", (int)service.Limits.TokenLifetime.TotalSeconds), ApiJson.Options);
    }

    internal static async Task<IResult> ConfirmAsync(HttpContext context, DeviceAuthService service, GatekeeperOptions options, ILogger<DeviceAuthService> logger)
    {
        if (AdminRefusal(context, options, logger) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadAsync<ConfirmRequest>(context).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (DeviceFlowSecrets.NormalizeUserCode(body!.UserCode) is null)
        {
            return Problems.BadRequest("Malformed user code", "A user code is eight letters from BCDFGHJKLMNPQRSTVWXZ, e.g. BCDF-GHJK.");
        }

        var flow = await service.ConfirmAsync(body.UserCode!, "api", context.RequestAborted).ConfigureAwait(false);
        return flow is null
            ? Problems.NotFound("No live device flow has that code: it expired, was used, or was never shown.")
            : TypedResults.Json(View(flow), ApiJson.Options);
    }

    internal static async Task<IResult> RearmAsync(HttpContext context, DeviceAuthService service, GatekeeperOptions options, ILogger<DeviceAuthService> logger)
    {
        if (AdminRefusal(context, options, logger) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadAsync<RearmRequest>(context).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (Problems.ParseMac(body!.Mac, "the body (\"mac\")", out var mac) is { } badMac)
        {
            return badMac;
        }

        await service.RearmAsync(mac, "api", context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    internal static IResult ListFlows(HttpContext context, DeviceAuthService service, GatekeeperOptions options, ILogger<DeviceAuthService> logger) =>
        AdminRefusal(context, options, logger) ?? TypedResults.Json(service.LiveFlows().Select(View).ToList(), ApiJson.Options);

    public static DeviceFlowView View(DeviceFlow flow) =>
        new(flow.Mac.ToString(), flow.Uuid, flow.UserCode, flow.Source, flow.StartedAt, flow.ExpiresAt, flow.Confirmed);

    /// <summary>
    /// The MAC (and uuid) the machine sends as extra variables. Talos sends them when the boot script names them
    /// (<c>talos.config.oauth.extra_variable=mac</c>, <c>=uuid</c>); a flow cannot be bound without the MAC.
    /// </summary>
    private static bool TryIdentity(OAuthForm form, out MacAddress mac, out string? uuid, out IResult problem)
    {
        problem = null!;
        uuid = form["uuid"];
        if (!MacAddress.TryParse(form["mac"], out mac))
        {
            problem = Error(OAuthErrors.InvalidRequest, "mac is missing or malformed: boot with talos.config.oauth.extra_variable=mac.");
            return false;
        }

        if (uuid is not null && (uuid.Length > MaxUuidLength || !uuid.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            problem = Error(OAuthErrors.InvalidRequest, $"uuid must be at most {MaxUuidLength} letters, digits and '-'.");
            return false;
        }

        return true;
    }

    private static IResult? AdminRefusal(HttpContext context, GatekeeperOptions options, ILogger logger)
    {
        if (options.AdminToken is not null && GatekeeperEndpoints.BearerMatches(context.Request.Headers.Authorization, options.AdminToken))
        {
            return null;
        }

        Log.AdminRefused(logger, context.Connection.RemoteIpAddress, options.AdminToken is null ? "no admin token is configured" : "missing or wrong bearer token");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Unauthorized(options.AdminToken is null
            ? "Admin calls are disabled: no admin token is configured (AdminToken)."
            : "Send the admin token as 'Authorization: Bearer <token>'.");
    }

    private static string VerificationUri(HttpRequest request, GatekeeperOptions options) =>
        options.PublicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Path).TrimEnd('/') + DeviceFlowsPage.Path
            : $"{request.Scheme}://{request.Host}{request.PathBase}{DeviceFlowsPage.Path}";

    // RFC 6749 §5.1: token answers must not be cached.
    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    private static IResult Error(string error, string? description) =>
        TypedResults.Json(
            new OAuthErrorResponse(error, description),
            ApiJson.Options,
            statusCode: error == OAuthErrors.TemporarilyUnavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest);
}
