using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Security;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// Every route of the gatekeeper except the boot chain (<c>/boot.ipxe</c>, <c>/talos/*</c>, mapped
/// by the boot module). The contract is in DESIGN.md; docs/gatekeeper.md lists each answer.
/// </summary>
public static class GatekeeperEndpoints
{
    public static IEndpointRouteBuilder MapGatekeeper(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var download = services.GetRequiredService<ConfigDownloadHandler>();
        var metrics = services.GetRequiredService<GatekeeperMetrics>();

        endpoints.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        endpoints.MapGet("/readyz", Readiness);
        endpoints.MapMetrics("/metrics", metrics.Registry);

        var api = endpoints.MapGroup("/api/v1");
        // Plain request delegates: the download path skips parameter binding and result objects.
        api.MapGet("/config/download", download.GetAsync);
        api.MapPost("/config/download", download.PostAsync);
        api.MapPost("/devices/register", Register);
        api.MapGet("/devices", ListDevices);
        api.MapGet("/devices/{mac}", GetDevice);
        api.MapDrift();
        api.MapPost("/sync", Sync);
        api.MapPost("/webhooks/github", services.GetRequiredService<GitHubWebhook>().HandleAsync);
        return endpoints;
    }

    /// <summary>Status for everyone; the detail (commit, fetch errors naming the remote, store health) for viewers and admins.</summary>
    public static IResult Readiness(HttpContext context, ServingState state, GatekeeperOptions options, StoreHealth store, CallerAccess access)
    {
        var view = ReadinessOf(state, options, store);
        var status = view.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return access.Of(context).MayRead
            ? TypedResults.Json(view, ApiJson.Options, statusCode: status)
            : TypedResults.Json(ReadinessStatusView.Of(view), ApiJson.Options, statusCode: status);
    }

    public static async Task<Results<Ok<DeviceView>, Created<DeviceView>, ProblemHttpResult>> Register(
        HttpContext context, DeviceSightings sightings, DeviceDirectory devices, GatekeeperMetrics metrics, ILogger<ConfigDownloadHandler> logger)
    {
        var (body, problem) = await JsonBody.ReadAsync<RegisterRequest>(context).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (Problems.ParseMac(body!.MacAddress, "the body (\"mac_address\")", out var mac) is { } badMac)
        {
            return badMac;
        }

        var uuid = Uuid.Checked(body.Uuid, metrics);
        var address = context.Connection.RemoteIpAddress;
        bool first;
        try
        {
            first = await sightings.RecordAsync(mac, ObservationKind.Register, address, context.Request.Headers.UserAgent, uuid, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(logger, ex, mac);
            return Problems.Unavailable("The device could not be recorded; retry shortly.");
        }

        Log.Registered(logger, mac, address);
        var view = DeviceView.Of(await devices.ReadAsync(mac, context.RequestAborted).ConfigureAwait(false));
        return first ? TypedResults.Created($"/api/v1/devices/{mac}", view) : TypedResults.Ok(view);
    }

    /// <summary>One page of devices (<see cref="DevicePaging"/>), for viewers and admins.</summary>
    public static async Task<Results<Ok<DeviceListView>, ProblemHttpResult>> ListDevices(
        HttpContext context, DeviceDirectory devices, CallerAccess access, CancellationToken cancellationToken)
    {
        if (ReadAccess.Refusal(context, access) is { } refused)
        {
            return refused;
        }

        var (paging, problem) = DevicePaging.Read(context.Request.Query);
        if (problem is not null)
        {
            return problem;
        }

        var page = await devices.PageAsync(paging.After, paging.Limit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DeviceListView(page.Snapshot?.Commit, page.Devices.Select(DeviceView.Of).ToList(), DevicePaging.NextLink(paging, page.Next)));
    }

    public static async Task<Results<Ok<DeviceView>, ProblemHttpResult>> GetDevice(
        string mac, HttpContext context, DeviceDirectory devices, CallerAccess access, CancellationToken cancellationToken)
    {
        if (ReadAccess.Refusal(context, access) is { } refused)
        {
            return refused;
        }

        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return Problems.MalformedMac(mac);
        }

        return await devices.GetAsync(parsed, cancellationToken).ConfigureAwait(false) is { } device
            ? TypedResults.Ok(DeviceView.Of(device))
            : Problems.NotFound($"{parsed} has never been seen and has no device file.");
    }

    /// <summary><c>POST /api/v1/sync</c> with <c>Authorization: Bearer &lt;admin token&gt;</c>: fetch now, answer when done.</summary>
    public static async Task<Results<Ok<ReadinessView>, Accepted<ReadinessView>, ProblemHttpResult>> Sync(
        HttpContext context, SyncService sync, ServingState state, GatekeeperOptions options, StoreHealth store, TimeProvider time, ILogger<SyncService> logger)
    {
        if (options.AdminToken is null)
        {
            Log.AdminRefused(logger, context.Connection.RemoteIpAddress, "no admin token is configured");
            return Problems.Unauthorized("Admin calls are disabled: no admin token is configured (AdminToken).");
        }

        if (!BearerMatches(context.Request.Headers.Authorization, options.AdminToken))
        {
            Log.AdminRefused(logger, context.Connection.RemoteIpAddress, "missing or wrong bearer token");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized("Send the admin token as 'Authorization: Bearer <token>'.");
        }

        try
        {
            await sync.RequestSync("api").WaitAsync(TimeSpan.FromSeconds(60), time, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.Ok(ReadinessOf(state, options, store));
        }
        catch (TimeoutException)
        {
            return TypedResults.Accepted("/readyz", ReadinessOf(state, options, store));
        }
    }

    internal static bool BearerMatches(string? header, string token)
    {
        const string prefix = "Bearer ";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }

    private static ReadinessView ReadinessOf(ServingState state, GatekeeperOptions options, StoreHealth store)
    {
        var snapshot = state.Snapshot;
        var status = state.Status;
        var health = store.View;
        return new ReadinessView(
            snapshot is not null && !health.Failing,
            options.Branch,
            snapshot?.Commit,
            status.ServedSince,
            status.ServedFrom,
            status.RemoteHead,
            status.LastFetchAttempt,
            status.LastFetchSuccess,
            status.LastFetchError,
            status.ConsecutiveFetchFailures,
            status.NextFetch,
            status.FailedCommit is { } failed
                ? new FailedCommitView(failed.Commit, failed.Time, failed.Errors.Select(e => e.ToString()).ToList())
                : null,
            snapshot?.Set.Approved.Count,
            snapshot?.Set.Rejected.Count,
            new StoreView(!health.Failing, health.FailingSince, health.Failures, health.LastError),
            new SecretsView(
                snapshot?.Set.SecretsFingerprint,
                options.AgeIdentityFile is null ? options.SecretsFile ?? "(generated in the data folder)" : $"{options.SecretsAgeFile} (age-encrypted, in the commit)",
                options.SecretsFile is null && options.AgeIdentityFile is null));
    }
}
