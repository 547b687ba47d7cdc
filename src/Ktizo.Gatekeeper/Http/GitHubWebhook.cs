using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// <c>POST /api/v1/webhooks/github</c>: a push to the tracked branch starts a sync. Whatever a caller
/// sends, one delivery costs at most <see cref="KeptBytes"/> plus a read buffer of memory: the body is
/// hashed (HMAC-SHA256, <c>X-Hub-Signature-256</c>) as it streams in and only its start is kept, which is
/// where GitHub writes the push's <c>ref</c>. At most <see cref="MaxConcurrentReads"/> bodies are read at
/// once, each for at most <see cref="ReadTimeout"/>; a replayed delivery is answered without a sync.
/// Bounds and the attack they answer: docs/gatekeeper.md ("Security"), docs/benchmarks.md (item 16).
/// </summary>
public sealed class GitHubWebhook(SyncService sync, GatekeeperOptions options, TimeProvider time, ILogger<GitHubWebhook> logger)
{
    /// <summary>GitHub's own cap on a webhook payload: no delivery GitHub sends is refused.</summary>
    public const int MaxBodyBytes = 25 * 1024 * 1024;

    /// <summary>Bodies hashed at once; a push is rare and GitHub sends them one after another.</summary>
    public const int MaxConcurrentReads = 4;

    /// <summary>How much of the body is kept to find <c>ref</c> (GitHub writes it first).</summary>
    public const int KeptBytes = 64 * 1024;

    /// <summary>Deliveries remembered to recognise a replay.</summary>
    public const int RememberedDeliveries = 1024;

    /// <summary>GitHub gives up on a delivery after 10 s; a body still arriving later is not GitHub's.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private const string SignaturePrefix = "sha256=";
    private const int ReadChunk = 16 * 1024;

    private readonly byte[]? _secret = options.WebhookSecret is { } secret ? Encoding.UTF8.GetBytes(secret) : null;
    private readonly RecentDeliveries _recent = new(RememberedDeliveries);
    private int _reading;

    /// <summary>The request delegate mapped to the route.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var result = await AnswerAsync(context).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task<IResult> AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var address = context.Connection.RemoteIpAddress;
        // Everything refused without reading a byte of the body comes first.
        var given = new byte[32];
        var signature = request.Headers["X-Hub-Signature-256"].ToString();
        if (_secret is null || !TryParseSignature(signature, given))
        {
            Log.WebhookRefused(logger, address, _secret is null ? "no webhook secret is configured" : "missing or malformed X-Hub-Signature-256");
            return Problems.Unauthorized("The webhook signature (X-Hub-Signature-256) is missing or does not match the secret.");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return Problems.TooLarge(MaxBodyBytes);
        }

        if (Interlocked.Increment(ref _reading) > MaxConcurrentReads)
        {
            Interlocked.Decrement(ref _reading);
            Log.WebhookRefused(logger, address, $"more than {MaxConcurrentReads} webhook bodies are being read");
            context.Response.Headers.RetryAfter = "1";
            return Problems.Unavailable($"More than {MaxConcurrentReads} webhook deliveries are being read; retry shortly.");
        }

        var kept = ArrayPool<byte>.Shared.Rent(KeptBytes);
        try
        {
            var (read, outcome) = await ReadAndHashAsync(request.Body, kept, context.RequestAborted).ConfigureAwait(false);
            if (outcome is IResult refused)
            {
                return refused;
            }

            if (!CryptographicOperations.FixedTimeEquals(given, (byte[])outcome!))
            {
                Log.WebhookRefused(logger, address, "wrong X-Hub-Signature-256");
                return Problems.Unauthorized("The webhook signature (X-Hub-Signature-256) is missing or does not match the secret.");
            }

            return Accept(context, signature, kept.AsSpan(0, Math.Min(read, KeptBytes)), complete: read <= KeptBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(kept);
            Interlocked.Decrement(ref _reading);
        }
    }

    /// <summary>Streams the body through the HMAC; the HMAC, or the refusal (413, 408).</summary>
    private async Task<(int Read, object Outcome)> ReadAndHashAsync(Stream body, byte[] kept, CancellationToken aborted)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _secret!);
        using var deadline = new CancellationTokenSource(ReadTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, aborted);
        var scratch = ArrayPool<byte>.Shared.Rent(ReadChunk);
        var total = 0;
        try
        {
            while (true)
            {
                // Into the kept start while it has room, then through a scratch buffer that is overwritten.
                var target = total < KeptBytes ? kept.AsMemory(total, KeptBytes - total) : scratch.AsMemory(0, ReadChunk);
                int n;
                try
                {
                    n = await body.ReadAsync(target, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
                {
                    return (total, TypedResults.Problem(
                        $"The body did not arrive within {ReadTimeout.TotalSeconds:0} s.", statusCode: StatusCodes.Status408RequestTimeout, title: "Request timeout"));
                }

                if (n == 0)
                {
                    return (total, hmac.GetHashAndReset());
                }

                if ((long)total + n > MaxBodyBytes)
                {
                    return (total, Problems.TooLarge(MaxBodyBytes));
                }

                hmac.AppendData(target.Span[..n]);
                total += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private IResult Accept(HttpContext context, string signature, ReadOnlySpan<byte> start, bool complete)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Problems.UnsupportedMediaType(request.ContentType);
        }

        var githubEvent = request.Headers["X-GitHub-Event"].ToString();
        if (!_recent.TryAdd(request.Headers["X-GitHub-Delivery"].ToString(), signature))
        {
            Log.WebhookReplayed(logger, context.Connection.RemoteIpAddress, request.Headers["X-GitHub-Delivery"].ToString());
            return TypedResults.Ok("ignored: delivery already handled");
        }

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
            if (!TryReadRef(start, complete, out pushedRef))
            {
                // Signed by GitHub, but "ref" is not in the kept start: a fetch is cheap and changes nothing if nothing moved.
                _ = sync.RequestSync("webhook");
                return TypedResults.Accepted("/readyz", "sync started");
            }
        }
        catch (JsonException)
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

    /// <summary>
    /// The top-level <c>ref</c> of the payload's start. True with the ref (null when the payload is not an object
    /// or has none); false when <paramref name="start"/> ends before it. Throws <see cref="JsonException"/> for JSON that is not.
    /// </summary>
    internal static bool TryReadRef(ReadOnlySpan<byte> start, bool complete, out string? gitRef)
    {
        gitRef = null;
        if (complete)
        {
            // The whole body is here: it must be one JSON value and nothing after it.
            var root = JsonSerializer.Deserialize<JsonElement>(start);
            gitRef = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ref", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()
                : null;
            return true;
        }

        var reader = new Utf8JsonReader(start, isFinalBlock: false, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        // Top-level properties in order; a value too long for the kept start ends the search.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRef = reader.ValueTextEquals("ref"u8);
            if (!reader.Read())
            {
                return false;
            }

            if (isRef && reader.TokenType == JsonTokenType.String)
            {
                gitRef = reader.GetString();
                return true;
            }

            if (!reader.TrySkip())
            {
                return false;
            }
        }

        return false;
    }

    private static bool TryParseSignature(string header, Span<byte> given) =>
        header.StartsWith(SignaturePrefix, StringComparison.Ordinal)
        && header.Length == SignaturePrefix.Length + 64
        && Convert.FromHexString(header.AsSpan(SignaturePrefix.Length), given, out _, out var written) == OperationStatus.Done
        && written == 32;
}
