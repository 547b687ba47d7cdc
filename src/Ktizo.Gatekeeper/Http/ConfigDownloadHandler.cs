using System.IO.Pipelines;
using System.Net;
using Ktizo.Core;
using Ktizo.Gatekeeper.DeviceAuth;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// The call every booting machine makes, and the one issue 6 benchmarks against nginx. An approved
/// MAC costs: one query scan into a stack buffer, one volatile read of the served snapshot, one frozen
/// dictionary lookup, a few counter increments, and a write of bytes prepared when the commit was
/// rendered. No lock, no query dictionary, no per-request string for the MAC.
/// </summary>
public sealed class ConfigDownloadHandler(
    ServingState state, DeviceSightings sightings, GatekeeperMetrics metrics, ILogger<ConfigDownloadHandler> logger,
    IBearerAuthorizer? deviceAuth = null, Notifications.Notifier? notifier = null)
{
    // Without device auth wired in, a device that needs a token is refused (default deny).
    private readonly IBearerAuthorizer _deviceAuth = deviceAuth ?? DenyingAuthorizer.Instance;

    /// <summary>Header naming the commit an answer came from.</summary>
    public const string CommitHeader = "X-Ktizo-Commit";

    // A MAC percent-encoded with colons is 27 characters, a uuid 36; anything longer is not one.
    private const int MaxParameterLength = 64;

    private static readonly StringValues NoStore = "no-store";
    private static readonly StringValues Yaml = "application/yaml";
    private static readonly StringValues Text = "text/plain; charset=utf-8";
    private static readonly StringValues RetryAfter = "5";
    private static readonly StringValues Bearer = "Bearer";
    private static readonly byte[] NotLoaded = "No configuration is loaded yet; retry shortly."u8.ToArray();

    private readonly ConfigAnswerLog _answers = new(logger);

    /// <summary><c>GET /api/v1/config/download?mac=…&amp;uuid=…</c>: the form Talos and iPXE use.</summary>
    public Task GetAsync(HttpContext context)
    {
        var query = context.Request.QueryString.Value.AsSpan();
        Span<char> mac = stackalloc char[MaxParameterLength];
        switch (QueryReader.TryGet(query, "mac", mac, out var macLength))
        {
            case QueryReader.Outcome.Missing:
                return BadRequestAsync(context, Problems.MissingMac("the query (?mac=…)"));
            case QueryReader.Outcome.TooLong:
                return BadRequestAsync(context, Problems.MalformedMac(mac.ToString()));
        }

        if (!MacAddress.TryParse(mac[..macLength], out var parsed))
        {
            return BadRequestAsync(context, Problems.MalformedMac(mac[..macLength].ToString()));
        }

        Span<char> uuid = stackalloc char[MaxParameterLength];
        var uuidLength = QueryReader.TryGet(query, "uuid", uuid, out var n) switch
        {
            QueryReader.Outcome.Found when Uuid.IsValid(uuid[..n]) => n,
            QueryReader.Outcome.Missing => 0,
            _ => Dropped(),
        };
        return AnswerAsync(context, parsed, uuid[..uuidLength]);
    }

    /// <summary><c>POST /api/v1/config/download</c> with <c>{"mac_address": "…"}</c>.</summary>
    public async Task PostAsync(HttpContext context)
    {
        var (body, problem) = await JsonBody.ReadAsync<ConfigRequest>(context).ConfigureAwait(false);
        if (problem is not null)
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false); // 413 or 415, not a bad MAC
            return;
        }

        if (Problems.ParseMac(body!.MacAddress, "the body (\"mac_address\")", out var mac) is { } badMac)
        {
            await BadRequestAsync(context, badMac).ConfigureAwait(false);
            return;
        }

        await AnswerAsync(context, mac, default).ConfigureAwait(false);
    }

    private Task AnswerAsync(HttpContext context, MacAddress mac, ReadOnlySpan<char> uuid)
    {
        // Read once: the whole answer comes from this one commit even if a swap happens meanwhile.
        var snapshot = state.Snapshot;
        ServedConfig? served = null;
        snapshot?.Configs.TryGetValue(mac, out served);
        var address = context.Connection.RemoteIpAddress;
        // deviceAuth on (docs/device-auth.md): the config goes only with a token issued for this MAC.
        var refused = served is { RequiresToken: true } && !_deviceAuth.Authorize(mac, context.Request.Headers.Authorization);
        var kind = served is null || refused ? ObservationKind.Request : ObservationKind.Download;
        string? userAgent = context.Request.Headers.UserAgent;

        if (sightings.TryTouch(mac, kind, address, userAgent, uuid))
        {
            return WriteAnswerAsync(context, mac, address, snapshot, served, refused);
        }

        return FirstSightingAsync(context, mac, kind, address, userAgent, uuid.IsEmpty ? null : uuid.ToString(), snapshot, served, refused);
    }

    private async Task FirstSightingAsync(
        HttpContext context, MacAddress mac, ObservationKind kind, IPAddress? address, string? userAgent, string? uuid,
        ServingSnapshot? snapshot, ServedConfig? served, bool refused)
    {
        try
        {
            // Durable before the answer goes out: a machine that was told "pending" is on disk.
            if (await sightings.RecordAsync(mac, kind, address, userAgent, uuid, context.RequestAborted).ConfigureAwait(false))
            {
                Log.FirstSighting(logger, mac, address, kind == ObservationKind.Download ? "approved" : "not approved");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Counted and logged once per episode by StoreHealth; here only at debug level.
            Log.StoreFailed(logger, ex, mac);
            metrics.ConfigUnavailable.Inc();
            context.Response.Headers.RetryAfter = RetryAfter;
            await Problems.Unavailable("The device could not be recorded; retry shortly.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteAnswerAsync(context, mac, address, snapshot, served, refused).ConfigureAwait(false);
    }

    private Task WriteAnswerAsync(HttpContext context, MacAddress mac, IPAddress? address, ServingSnapshot? snapshot, ServedConfig? served, bool refused)
    {
        var response = context.Response;
        var headers = response.Headers;
        headers.CacheControl = NoStore;

        if (snapshot is null)
        {
            metrics.ConfigUnavailable.Inc();
            _answers.Answered("unavailable", mac, address, null);
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            headers.RetryAfter = RetryAfter;
            return WriteAsync(response, Text, NotLoaded);
        }

        headers[CommitHeader] = snapshot.Commit;
        if (refused)
        {
            return Refuse(context, mac, address);
        }

        if (served is not null)
        {
            metrics.ConfigServed.Inc();
            metrics.ConfigDownloads.Inc();
            _answers.Answered("served", mac, address, snapshot.Commit);
            sightings.Served(mac, snapshot, served, address);
            headers.ETag = served.ETag;
            if (context.Request.Headers.IfNoneMatch is { Count: 1 } ifNoneMatch && ifNoneMatch[0] == served.ETag)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            response.StatusCode = StatusCodes.Status200OK;
            return WriteAsync(response, served);
        }

        response.StatusCode = StatusCodes.Status403Forbidden;
        if (snapshot.Set.Rejected.ContainsKey(mac)) // served is null: rejected or pending
        {
            metrics.ConfigRejected.Inc();
            _answers.Answered("rejected", mac, address, snapshot.Commit);
            return WriteAsync(response, Text, DenialText.Rejected);
        }

        metrics.ConfigPending.Inc();
        _answers.Answered("pending", mac, address, snapshot.Commit);
        return WriteAsync(response, Text, DenialText.Pending);
    }

    private int Dropped()
    {
        metrics.UuidDropped.Inc();
        return 0;
    }

    /// <summary>401 for a device whose <c>deviceAuth</c> is on, without its token: nothing served, a refused claim recorded.</summary>
    private Task Refuse(HttpContext context, MacAddress mac, IPAddress? address)
    {
        var hadToken = context.Request.Headers.Authorization.Count > 0;
        _deviceAuth.RecordRefusal(mac, address, hadToken ? "bearer token not issued for this MAC, or expired" : "no bearer token");
        notifier?.ClaimRefused(mac, hadToken);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = Bearer;
        return WriteAsync(response, Text, DenialText.Unauthenticated);
    }

    // Counted here because the GET fast path skips prometheus-net's per-route request counter.
    private Task BadRequestAsync(HttpContext context, IResult problem)
    {
        metrics.ConfigBadRequest.Inc();
        return problem.ExecuteAsync(context);
    }

    private static Task WriteAsync(HttpResponse response, StringValues contentType, byte[] body)
    {
        response.Headers.ContentType = contentType;
        response.ContentLength = body.Length;
        var write = response.Body.WriteAsync(body);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    private static Task WriteAsync(HttpResponse response, ServedConfig served)
    {
        if (served.Pieces is [var whole])
        {
            return WriteAsync(response, Yaml, whole);
        }

        response.Headers.ContentType = Yaml;
        response.ContentLength = served.Length;
        // Headers first: body bytes written before them wait in a buffer of Kestrel's and are copied a second time.
        var start = response.StartAsync();
        return start.IsCompletedSuccessfully ? WritePieces(response.BodyWriter, served) : WritePiecesAfterAsync(start, response, served);
    }

    private static async Task WritePiecesAfterAsync(Task start, HttpResponse response, ServedConfig served)
    {
        await start.ConfigureAwait(false);
        await WritePieces(response.BodyWriter, served).ConfigureAwait(false);
    }

    // One span for the whole answer: every GetSpan and Advance goes through Kestrel's output producer and its lock,
    // and paying that per piece made answers in pieces measurably slower (docs/benchmarks.md, item 14).
    private static Task WritePieces(PipeWriter body, ServedConfig served)
    {
        var span = body.GetSpan(served.Length);
        foreach (var piece in served.Pieces)
        {
            piece.CopyTo(span);
            span = span[piece.Length..];
        }

        body.Advance(served.Length);
        var flush = body.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
