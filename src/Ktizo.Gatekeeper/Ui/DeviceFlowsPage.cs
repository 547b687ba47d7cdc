using Ktizo.Core;
using Ktizo.Gatekeeper.DeviceAuth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// <c>/ui/device-auth</c>, the <c>verification_uri</c> Talos prints beside its code: the signed-in administrator
/// sees every live flow (MAC, uuid, source address, start) and confirms the one whose code their machine shows,
/// or re-arms a MAC for <c>first</c> mode.
/// </summary>
public static class DeviceFlowsPage
{
    public const string Path = "/ui/device-auth";

    public static IEndpointRouteBuilder MapDeviceFlowsPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, Show).ExcludeFromDescription();
        endpoints.MapPost(Path + "/confirm", ConfirmAsync).ExcludeFromDescription();
        endpoints.MapPost(Path + "/rearm", RearmAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Show(HttpContext context, DeviceAuthService service, AdminSession session, IAntiforgery antiforgery) =>
        session.IsSignedIn(context)
            ? DeviceUiEndpoints.Page(context, "Device authentication", View(context, service, antiforgery, message: null))
            : DeviceUiEndpoints.Page(context, "Sign in", UiHtml.Message("Sign in first", "Device flows are shown to the signed-in administrator only: sign in on the devices page.", error: true), StatusCodes.Status403Forbidden);

    private static async Task<IResult> ConfirmAsync(
        HttpContext context, DeviceAuthService service, AdminSession session, IAntiforgery antiforgery, ILogger<DeviceAuthService> logger)
    {
        if (await DeviceUiEndpoints.Refusal(context, antiforgery, session, requireSession: true).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var flow = await service.ConfirmAsync(form["user_code"].ToString(), "page", context.RequestAborted).ConfigureAwait(false);
        var message = flow is null
            ? "No live flow has that code any more: it expired or was used."
            : $"Confirmed {flow.UserCode} for {flow.Mac}: the machine gets its token at its next poll.";
        logger.LogInformation("Page confirm from {Address}: {Outcome}", context.Connection.RemoteIpAddress, flow is null ? "no such flow" : "confirmed");
        var status = flow is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK;
        return DeviceUiEndpoints.Page(context, "Device authentication", View(context, service, antiforgery, message), status);
    }

    /// <summary>The page's re-arm: the same sign-in and anti-forgery checks as its confirm.</summary>
    private static async Task<IResult> RearmAsync(
        HttpContext context, DeviceAuthService service, AdminSession session, IAntiforgery antiforgery, ILogger<DeviceAuthService> logger)
    {
        if (await DeviceUiEndpoints.Refusal(context, antiforgery, session, requireSession: true).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!MacAddress.TryParse(form["mac"].ToString(), out var mac))
        {
            return DeviceUiEndpoints.Page(
                context, "Device authentication", View(context, service, antiforgery, "That is not a MAC address: write six hex octets, e.g. 52:54:00:12:34:56."), StatusCodes.Status400BadRequest);
        }

        var had = await service.RearmAsync(mac, "page", context.RequestAborted).ConfigureAwait(false);
        logger.LogInformation("Page re-arm of {Mac} from {Address}", mac, context.Connection.RemoteIpAddress);
        var message = had
            ? $"Re-armed {mac}: its next single claimant gets its token in first mode without a confirmation."
            : $"Re-armed {mac}; it had no token, so nothing changes until it has one.";
        return DeviceUiEndpoints.Page(context, "Device authentication", View(context, service, antiforgery, message));
    }

    private static string View(HttpContext context, DeviceAuthService service, IAntiforgery antiforgery, string? message) =>
        UiHtml.DeviceFlows(service.LiveFlows(), service.Refusals(), antiforgery.GetAndStoreTokens(context), message, service.HasIssued);
}
