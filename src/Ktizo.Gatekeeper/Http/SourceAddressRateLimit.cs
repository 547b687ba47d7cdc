using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// At most <c>RateLimitPermits</c> requests per <c>RateLimitWindow</c> from one source address, 429 with
/// Retry-After beyond that; probes and scrapes come from the platform, not from machines, and are never limited.
/// <para>
/// Asked synchronously here rather than through ASP.NET Core's rate-limiting middleware: that one charged every
/// config answer CPU and garbage for endpoint-metadata policies, async acquisition and lease bookkeeping that
/// one global limit with no queue never uses (docs/benchmarks.md, item 12). The windows themselves
/// are <see cref="SourceAddressWindows"/>, which takes no lock.
/// </para>
/// </summary>
public sealed class SourceAddressRateLimit : IDisposable
{
    private readonly SourceAddressWindows _windows;
    private readonly ITimer _sweep;
    private readonly string _refusal;
    private readonly string _retryAfter;

    public SourceAddressRateLimit(int permits, TimeSpan window, TimeProvider time)
    {
        _windows = new SourceAddressWindows(permits, window, time);
        // Once a window: addresses gone quiet are forgotten, so the table stays the size of the recent ones.
        _sweep = time.CreateTimer(static windows => ((SourceAddressWindows)windows!).Sweep(), _windows, window, window);
        _refusal = $"More than {permits} requests from this address within {window}.";
        _retryAfter = ((int)Math.Ceiling(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsProbe(context.Request.Path))
        {
            return next(context);
        }

        return _windows.TryAcquire(context.Connection.RemoteIpAddress ?? IPAddress.None) ? next(context) : RejectAsync(context);
    }

    public void Dispose() => _sweep.Dispose();

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
