using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Observability;
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
        api.MapPost("/sync", Sync);
        api.MapPost("/webhooks/github", GitHubWebhook);
        return endpoints;
    }

    public static Results<Ok<ReadinessView>, JsonHttpResult<ReadinessView>> Readiness(ServingState state, GatekeeperOptions options)
    {
        var view = ReadinessOf(state, options);
        return view.Ready
            ? TypedResults.Ok(view)
            : TypedResults.Json(view, ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task<Results<Ok<DeviceView>, Created<DeviceView>, ProblemHttpResult>> Register(
        HttpContext context, DeviceSightings sightings, DeviceDirectory devices, ILogger<ConfigDownloadHandler> logger)
    {
        var (body, problem) = await JsonBody.ReadAsync<RegisterRequest>(context).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.MacAddress))
        {
            return Problems.MissingMac("the body (\"mac_address\")");
        }

        if (!MacAddress.TryParse(body.MacAddress, out var mac))
        {
            return Problems.MalformedMac(body.MacAddress);
        }

        if (body.Uuid is { Length: > 64 })
        {
            return Problems.BadRequest("Malformed uuid", "The uuid is longer than 64 characters.");
        }

        var address = context.Connection.RemoteIpAddress;
        bool first;
        try
        {
            first = await sightings.RecordAsync(mac, ObservationKind.Register, address, context.Request.Headers.UserAgent, body.Uuid, context.RequestAborted)
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

    public static async Task<Ok<DeviceListView>> ListDevices(DeviceDirectory devices, CancellationToken cancellationToken)
    {
        var (snapshot, list) = await devices.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DeviceListView(snapshot?.Commit, list.Select(DeviceView.Of).ToList()));
    }

    public static async Task<Results<Ok<DeviceView>, ProblemHttpResult>> GetDevice(string mac, DeviceDirectory devices, CancellationToken cancellationToken)
    {
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
        HttpContext context, SyncService sync, ServingState state, GatekeeperOptions options, TimeProvider time, ILogger<SyncService> logger)
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
            return TypedResults.Ok(ReadinessOf(state, options));
        }
        catch (TimeoutException)
        {
            return TypedResults.Accepted("/readyz", ReadinessOf(state, options));
        }
    }

    /// <summary>
    /// GitHub push webhook. The signature (<c>X-Hub-Signature-256</c>, HMAC-SHA256 of the raw body with
    /// the webhook secret) is checked before anything else; a push to the tracked branch starts a sync.
    /// </summary>
    public static async Task<Results<Ok<string>, Accepted<string>, ProblemHttpResult>> GitHubWebhook(
        HttpContext context, SyncService sync, GatekeeperOptions options, ILogger<SyncService> logger)
    {
        // GitHub caps payloads at 25 MB; pushes are far smaller.
        const int maxBytes = 25 * 1024 * 1024;
        var (body, tooLarge) = await JsonBody.ReadLimitedAsync(context.Request, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            return Problems.TooLarge(maxBytes);
        }

        if (!SignatureMatches(options.WebhookSecret, context.Request.Headers["X-Hub-Signature-256"], body))
        {
            var reason = options.WebhookSecret is null ? "no webhook secret is configured" : "missing or wrong X-Hub-Signature-256";
            Log.WebhookRefused(logger, context.Connection.RemoteIpAddress, reason);
            return Problems.Unauthorized("The webhook signature (X-Hub-Signature-256) is missing or does not match the secret.");
        }

        if (!context.Request.HasJsonContentType())
        {
            return Problems.UnsupportedMediaType(context.Request.ContentType);
        }

        var githubEvent = context.Request.Headers["X-GitHub-Event"].ToString();
        if (githubEvent == "ping")
        {
            return TypedResults.Ok("pong");
        }

        if (githubEvent != "push")
        {
            return TypedResults.Accepted((string?)null, $"ignored: event '{githubEvent}'");
        }

        string? pushedRef;
        try
        {
            using var document = JsonDocument.Parse(body);
            pushedRef = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("ref", out var r)
                ? r.GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest("Invalid JSON", "The push payload is not valid JSON.");
        }

        if (pushedRef != "refs/heads/" + options.Branch)
        {
            return TypedResults.Accepted((string?)null, $"ignored: push to '{pushedRef}', tracking '{options.Branch}'");
        }

        _ = sync.RequestSync("webhook");
        return TypedResults.Accepted("/readyz", "sync started");
    }

    internal static bool SignatureMatches(string? secret, string? header, ReadOnlySpan<byte> body)
    {
        const string prefix = "sha256=";
        if (secret is null || header is null || !header.StartsWith(prefix, StringComparison.Ordinal) || header.Length != prefix.Length + 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
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

    private static ReadinessView ReadinessOf(ServingState state, GatekeeperOptions options)
    {
        var snapshot = state.Snapshot;
        var status = state.Status;
        return new ReadinessView(
            snapshot is not null,
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
            snapshot?.Set.Rejected.Count);
    }
}
