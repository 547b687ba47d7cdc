using Ktizo.Gatekeeper.DeviceAuth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// <c>/ui/device-auth</c>, the <c>verification_uri</c> Talos prints beside its code: the signed-in administrator
/// sees every live flow (MAC, uuid, source address, start) and confirms the one whose code their machine shows.
/// </summary>
public static class DeviceFlowsPage
{
    public const string Path = "/ui/device-auth";

    public static IEndpointRouteBuilder MapDeviceFlowsPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, Show).ExcludeFromDescription();
        endpoints.MapPost(Path + "/confirm", ConfirmAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Show(HttpContext context, DeviceAuthService service, AdminSession session, IAntiforgery antiforgery) =>
        session.IsSignedIn(context)
            ? DeviceUiEndpoints.Page(context, "Device authentication", UiHtml.DeviceFlows(service.LiveFlows(), service.Refusals(), antiforgery.GetAndStoreTokens(context), message: null))
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
        return DeviceUiEndpoints.Page(context, "Device authentication", UiHtml.DeviceFlows(service.LiveFlows(), service.Refusals(), antiforgery.GetAndStoreTokens(context), message), status);
    }
}
