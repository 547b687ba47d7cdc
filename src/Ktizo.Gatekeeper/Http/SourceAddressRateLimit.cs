using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// At most <c>RateLimitPermits</c> requests per <c>RateLimitWindow</c> from one source address, 429 with
/// Retry-After beyond that; probes and scrapes come from the platform, not from machines, and are never limited.
/// <para>
/// The limits are System.Threading.RateLimiting's fixed windows, one per address. They are asked here
/// synchronously rather than through ASP.NET Core's rate-limiting middleware: that one cost every config answer
/// ~3 µs of CPU (a sixth of it) and ~1.6 KB of garbage, for its endpoint-metadata policies, async acquisition
/// and lease bookkeeping, none of which a single global limit with no queue uses (docs/benchmarks.md, item 12).
/// </para>
/// </summary>
public sealed class SourceAddressRateLimit : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter;
    private readonly string _refusal;
    private readonly string _retryAfter;

    public SourceAddressRateLimit(int permits, TimeSpan window)
    {
        _refusal = $"More than {permits} requests from this address within {window}.";
        _retryAfter = ((int)Math.Ceiling(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var options = new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 };
        // One delegate for every address: a lambda per request would be garbage per request.
        Func<IPAddress, RateLimiter> newLimiter = _ => new FixedWindowRateLimiter(options);
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.Get(address, newLimiter));
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsProbe(context.Request.Path))
        {
            return next(context);
        }

        // A fixed window's lease holds nothing (its permits come back when the window turns, not on release),
        // so it is released at once instead of across the rest of the pipeline.
        bool acquired;
        using (var lease = _limiter.AttemptAcquire(context.Connection.RemoteIpAddress ?? IPAddress.None))
        {
            acquired = lease.IsAcquired;
        }

        return acquired ? next(context) : RejectAsync(context);
    }

    public void Dispose() => _limiter.Dispose();

    private Task RejectAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = _retryAfter;
        return TypedResults.Problem(
            _refusal,
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests").ExecuteAsync(context);
    }

    private static bool IsProbe(PathString path) =>
        path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/readyz", StringComparison.Ordinal)
        || path.Equals("/metrics", StringComparison.Ordinal);
}
