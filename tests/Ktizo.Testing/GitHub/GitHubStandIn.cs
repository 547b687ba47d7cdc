// A stand-in for the GitHub REST API (api.github.com), which this machine cannot reach.
//
// It is a real Kestrel server on 127.0.0.1 (never another interface) that serves exactly the
// endpoints Ktizo.GitHub calls through Octokit, one repository's worth, with GitHub's status codes
// (200/201/204/401/403/404/409/422/429/500/502), its error body
// {"message":…,"errors":[…],"documentation_url":…}, its rate-limit headers (x-ratelimit-limit,
// -remaining, -used, -reset, -resource; retry-after on secondary limits), Link pagination and the
// payload shapes GitHub documents (issue, comment, label, repository, ref, contents + commit, pull
// request), with enough fields for Octokit to deserialize them.
//
// Tests can make it fail (500/502, before or after processing), throttle (primary limit per
// window; secondary: content creation per minute and per hour, issue creation per minute and per hour
// with every other refusal lacking retry-after, or on demand with or without retry-after), refuse bodies
// over 65,536 characters, lag reads behind writes (ReadLag), or go down (the listener closes: connections are refused) and come back on the
// same port, refuse as a repository with issues disabled (410) or a read-only token would (403 "Resource
// not accessible by integration"), or answer without rate-limit headers (GitHub Enterprise Server with
// limits off; GitHubStandIn.Refusals.cs). Its clock is a TimeProvider the test owns, so limits that span an hour take seconds.
// Every request is logged with its time, method, path and answer, so a test can prove how a
// client behaved (paced, waited, did not hammer).
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Testing.GitHub;

/// <summary>One request as the stand-in saw it.</summary>
/// <param name="ContentCreating">POST or PUT: counted against the content-creation limits</param>
/// <param name="Throttled">answered 403/429 for a primary or secondary limit</param>
public sealed record StandInRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string Query,
    int Status,
    bool ContentCreating,
    bool Throttled,
    string? Authorization,
    string? UserAgent)
{
    public bool Mutating => Method is "POST" or "PUT" or "PATCH" or "DELETE";
}

/// <summary>Limits the stand-in enforces, as GitHub documents them (../shared/notes/github-api.md).</summary>
public sealed class StandInLimits
{
    public int PrimaryLimit { get; set; } = 5000;

    public TimeSpan PrimaryWindow { get; set; } = TimeSpan.FromHours(1);

    public int ContentCreationsPerMinute { get; set; } = 80;

    public int ContentCreationsPerHour { get; set; } = 500;

    /// <summary>Sent with secondary-limit answers; null sends none (the client must then wait a minute or more).</summary>
    public TimeSpan? SecondaryRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Issues created (<c>POST …/issues</c>) per minute: GitHub's own limit for this endpoint is lower than
    /// the general content limit; about 20 a minute is what integrations observe.
    /// </summary>
    public int IssueCreationsPerMinute { get; set; } = 20;

    /// <summary>Issues created per hour (observed: about 150).</summary>
    public int IssueCreationsPerHour { get; set; } = 150;

    /// <summary>
    /// Every how many issue-creation throttles one comes without <c>retry-after</c>, as GitHub's often do
    /// (2: every other; 1: none has it; 0: all have it).
    /// </summary>
    public int IssueLimitOmitsRetryAfterEvery { get; set; } = 2;
}

public sealed partial class GitHubStandIn : IAsyncDisposable
{
    public const string DocumentationUrl = "https://docs.github.com/rest";

    private readonly object _sync = new();
    private readonly ConcurrentQueue<StandInRequest> _log = new();
    private readonly List<(int Status, bool AfterProcessing, string? Method, string? PathSuffix)> _failures = [];
    private readonly List<DateTimeOffset> _creations = [];
    private readonly List<DateTimeOffset> _issueCreations = [];
    private int _issueThrottles;
    private readonly TimeProvider _clock;
    private WebApplication? _app;
    private int _port;
    private DateTimeOffset _windowReset;
    private int _windowUsed;
    private (DateTimeOffset? Until, TimeSpan Duration, int Status, TimeSpan? RetryAfter)? _forcedThrottle;

    private GitHubStandIn(string owner, string name, string token, TimeProvider clock)
    {
        Owner = owner;
        Name = name;
        Token = token;
        _clock = clock;
        SeedRepository();
    }

    public string Owner { get; }

    public string Name { get; }

    /// <summary>The only token accepted; anything else is answered 401 "Bad credentials".</summary>
    public string Token { get; }

    public StandInLimits Limits { get; } = new();

    /// <summary>The REST root to give Octokit: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{_port}/");

    public bool IsUp => _app is not null;

    public IReadOnlyList<StandInRequest> Requests => [.. _log];

    public static async Task<GitHubStandIn> StartAsync(TimeProvider clock, string owner = "acme", string name = "cluster", string token = "ghp_standInToken0000000000000000000000")
    {
        var standIn = new GitHubStandIn(owner, name, token, clock);
        await standIn.ComeUpAsync().ConfigureAwait(false);
        return standIn;
    }

    /// <summary>The next <paramref name="count"/> requests fail with <paramref name="status"/> (500 or 502); with
    /// <paramref name="afterProcessing"/> the request takes effect first, as when GitHub times out behind its proxy.</summary>
    /// <param name="method">only requests with this method fail (e.g. "POST"); null: any</param>
    /// <param name="pathSuffix">only requests whose path ends so fail (e.g. "/pulls"); null: any</param>
    public void FailNext(int count, int status = 500, bool afterProcessing = false, string? method = null, string? pathSuffix = null)
    {
        lock (_sync)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Add((status, afterProcessing, method, pathSuffix));
            }
        }
    }

    /// <summary>
    /// From the next request on, every request during <paramref name="duration"/> meets a secondary limit
    /// (403, or 429), with or without retry-after. The period starts when that request arrives, so
    /// client start-up time cannot eat it.
    /// </summary>
    public void ThrottleSecondary(TimeSpan duration, TimeSpan? retryAfter, int status = 403)
    {
        lock (_sync)
        {
            _forcedThrottle = (null, duration, status, retryAfter);
        }
    }

    /// <summary>Spends <paramref name="count"/> requests of the current primary window, as other users of the same token would.</summary>
    public void ConsumePrimary(int count)
    {
        lock (_sync)
        {
            var now = _clock.GetUtcNow();
            if (now >= _windowReset)
            {
                StartWindow(now);
            }

            _windowUsed += count;
        }
    }

    /// <summary>The current primary window ends (and <c>x-ratelimit-reset</c> points) here.</summary>
    public DateTimeOffset PrimaryReset
    {
        get
        {
            lock (_sync)
            {
                return _windowReset;
            }
        }
    }

    /// <summary>Closes the listener: connections are refused until <see cref="ComeUpAsync"/>. State is kept.</summary>
    public async Task GoDownAsync()
    {
        var app = _app;
        _app = null;
        if (app is not null)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Listens again, on the same port as before (a new one the first time).</summary>
    public async Task ComeUpAsync()
    {
        if (_app is not null)
        {
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, _port));
            var app = builder.Build();
            app.Run(HandleAsync);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException) when (attempt < 50 && _port != 0)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            _port = new Uri(address).Port;
            _app = app;
            return;
        }
    }

    public async ValueTask DisposeAsync() => await GoDownAsync().ConfigureAwait(false);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        Reply reply;
        var throttled = false;
        var creating = request.Method is "POST" or "PUT";
        lock (_sync)
        {
            var now = _clock.GetUtcNow();
            var creatingIssue = request.Method == "POST" && IssuesPath().IsMatch(request.Path.Value ?? "/");
            reply = Authenticate(request) ?? Throttle(now, request.Method, request.Path.Value ?? "/", creating, creatingIssue, out throttled) ?? Refuse(request.Method, request.Path.Value ?? "/") ?? AfterProcessing(request.Method, request.Path.Value ?? "/", Dispatch(request.Method, request.Path.Value ?? "/", request.Query, body, now));
            if (!throttled && reply.Status < 300 && creating)
            {
                _creations.Add(now);
                if (creatingIssue)
                {
                    _issueCreations.Add(now);
                }
            }

            _log.Enqueue(new StandInRequest(
                now,
                request.Method,
                request.Path.Value ?? "/",
                request.QueryString.Value ?? string.Empty,
                reply.Status,
                creating,
                throttled,
                request.Headers.Authorization.ToString(),
                request.Headers.UserAgent.ToString()));
            AddRateLimitHeaders(context.Response, now);
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (key, value) in reply.Headers)
        {
            context.Response.Headers[key] = value;
        }

        if (reply.Json is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(reply.Json.ToJsonString(JsonOptions)).ConfigureAwait(false);
        }
        else if (reply.Html is not null)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(reply.Html).ConfigureAwait(false);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private Reply? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? header[..space] : string.Empty;
        var value = space > 0 ? header[(space + 1)..].Trim() : string.Empty;
        var schemeOk = scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase);
        return schemeOk && value == Token
            ? null
            : Error(401, "Bad credentials", "https://docs.github.com/rest");
    }

    private Reply? Throttle(DateTimeOffset now, string method, string path, bool creating, bool creatingIssue, out bool throttled)
    {
        throttled = true;
        if (now >= _windowReset)
        {
            StartWindow(now);
        }

        if (_windowUsed >= Limits.PrimaryLimit)
        {
            return Error(403, $"API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
        }

        _windowUsed++;
        if (_forcedThrottle is { } forced)
        {
            var until = forced.Until ?? now + forced.Duration;
            _forcedThrottle = forced with { Until = until };
            if (now < until)
            {
                return SecondaryLimit(forced.Status, forced.RetryAfter);
            }
        }

        if (creating)
        {
            _creations.RemoveAll(t => t <= now - TimeSpan.FromHours(1));
            var lastMinute = _creations.Count(t => t > now - TimeSpan.FromMinutes(1));
            if (lastMinute >= Limits.ContentCreationsPerMinute || _creations.Count >= Limits.ContentCreationsPerHour)
            {
                return SecondaryLimit(403, Limits.SecondaryRetryAfter);
            }
        }

        if (creatingIssue)
        {
            _issueCreations.RemoveAll(t => t <= now - TimeSpan.FromHours(1));
            var lastMinute = _issueCreations.Count(t => t > now - TimeSpan.FromMinutes(1));
            if (lastMinute >= Limits.IssueCreationsPerMinute || _issueCreations.Count >= Limits.IssueCreationsPerHour)
            {
                var every = Limits.IssueLimitOmitsRetryAfterEvery;
                var omit = every > 0 && ++_issueThrottles % every == 0;
                return SecondaryLimit(403, omit ? null : Limits.SecondaryRetryAfter);
            }
        }

        throttled = false;
        if (TakeFailure(method, path, afterProcessing: false) is { } status)
        {
            return ServerError(status);
        }

        return null;
    }

    private void StartWindow(DateTimeOffset now)
    {
        // Whole seconds, as x-ratelimit-reset carries them.
        _windowReset = DateTimeOffset.FromUnixTimeSeconds((long)Math.Ceiling((now + Limits.PrimaryWindow).ToUnixTimeMilliseconds() / 1000.0));
        _windowUsed = 0;
    }

    private static Reply SecondaryLimit(int status, TimeSpan? retryAfter)
    {
        var reply = Error(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits");
        if (retryAfter is { } wait)
        {
            reply.Headers["retry-after"] = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return reply;
    }

    private void AddRateLimitHeaders(HttpResponse response, DateTimeOffset now)
    {
        if (_rateLimitHeaders)
        {
            var remaining = Math.Max(0, Limits.PrimaryLimit - _windowUsed);
            response.Headers["x-ratelimit-limit"] = Limits.PrimaryLimit.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-used"] = _windowUsed.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset"] = _windowReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-resource"] = "core";
        }

        response.Headers["x-github-media-type"] = "github.v3; format=json";
        response.Headers["x-github-request-id"] = $"{now.UtcTicks:X}";

        // GitHub's Date and its updated_at come from one clock; Kestrel's own Date would be the machine's.
        response.Headers.Date = now.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Applies <see cref="FailNext"/> failures meant to hit after the request took effect.</summary>
    private Reply AfterProcessing(string method, string path, Reply reply)
    {
        return TakeFailure(method, path, afterProcessing: true) is { } status ? ServerError(status) : reply;
    }

    private int? TakeFailure(string method, string path, bool afterProcessing)
    {
        var at = _failures.FindIndex(f => f.AfterProcessing == afterProcessing && (f.Method is null || f.Method == method)
            && (f.PathSuffix is null || path.EndsWith(f.PathSuffix, StringComparison.Ordinal)));
        if (at < 0)
        {
            return null;
        }

        var status = _failures[at].Status;
        _failures.RemoveAt(at);
        return status;
    }

    private static Reply ServerError(int status) =>
        status == 502
            ? new Reply(502, null, "<html><body><h1>502 Bad Gateway</h1>Unicorn!</body></html>")
            : Error(status, "Server Error", DocumentationUrl);

    private static Reply Error(int status, string message, string documentation, JsonArray? errors = null)
    {
        var json = new JsonObject { ["message"] = message };
        if (errors is not null)
        {
            json["errors"] = errors;
        }

        json["documentation_url"] = documentation;
        json["status"] = status.ToString(CultureInfo.InvariantCulture);
        return new Reply(status, json);
    }

    private static Reply ValidationFailed(string resource, string code, string? field, string documentation, string? message = null)
    {
        var error = new JsonObject { ["resource"] = resource, ["code"] = code };
        if (field is not null)
        {
            error["field"] = field;
        }

        if (message is not null)
        {
            error["message"] = message;
        }

        return Error(422, "Validation Failed", documentation, [error]);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^/repos/[^/]+/[^/]+/issues$")]
    private static partial System.Text.RegularExpressions.Regex IssuesPath();

    private sealed record Reply(int Status, JsonNode? Json, string? Html = null)
    {
        public Dictionary<string, string> Headers { get; } = [];
    }
}
