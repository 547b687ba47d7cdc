using System.Globalization;
using Ktizo.Hosting;
using Microsoft.Extensions.Logging;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>
/// Every request to GitHub goes through here, one at a time. It keeps the limits GitHub documents
/// (summarised in this project's README):
/// <list type="bullet">
/// <item>mutating requests are serial and at least <see cref="GitHubOptions.MinMutationInterval"/> apart,
/// measured from the end of the previous one;</item>
/// <item>content-creating requests stay under <see cref="GitHubOptions.MaxContentCreationsPerHour"/> in any hour;</item>
/// <item>issue creations, which GitHub limits more tightly, stay under <see cref="GitHubOptions.MaxIssueCreationsPerMinute"/>
/// in any minute and <see cref="GitHubOptions.MaxIssueCreationsPerHour"/> in any hour;</item>
/// <item>primary limit: when <c>x-ratelimit-remaining</c> reaches 0, nothing is sent before <c>x-ratelimit-reset</c>;</item>
/// <item>secondary limit (403/429): wait <c>retry-after</c>, or without it at least a minute, doubling
/// while it persists; then the same request is sent again (a throttled request was not processed).</item>
/// </list>
/// Other failures (5xx, connection refused) propagate: whether a create went through is unknown, and
/// the caller's next pass finds out by listing, instead of blindly sending it again.
/// </summary>
public sealed class GitHubPacer
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<DateTimeOffset> _creations = new();
    private readonly Queue<DateTimeOffset> _issueCreations = new();
    private readonly GitHubOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Func<ApiInfo?> _lastApiInfo;
    private readonly GitHubHealth _health;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nextMutationAt = DateTimeOffset.MinValue;
    private int _secondaryStrikes;

    public GitHubPacer(GitHubOptions options, TimeProvider clock, ILogger logger, Func<ApiInfo?> lastApiInfo, GitHubHealth? health = null)
    {
        _health = health ?? new GitHubHealth();
        _options = options;
        _clock = clock;
        _logger = logger;
        _lastApiInfo = lastApiInfo;
    }

    /// <summary>Time at which the last throttle lifts; <see cref="DateTimeOffset.MinValue"/> when none was seen.</summary>
    public DateTimeOffset BlockedUntil => _blockedUntil;

    public Task<T> ReadAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken) =>
        SendAsync(call, mutating: false, createsContent: false, cancellationToken);

    public Task<T> MutateAsync<T>(Func<Task<T>> call, bool createsContent, CancellationToken cancellationToken) =>
        SendAsync(call, mutating: true, createsContent, cancellationToken);

    /// <summary>A <c>POST …/issues</c>: content creation under the tighter issue-creation budget as well.</summary>
    public Task<T> CreateIssueAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken) =>
        SendAsync(call, mutating: true, createsContent: true, cancellationToken, createsIssue: true);

    private async Task<T> SendAsync<T>(Func<Task<T>> call, bool mutating, bool createsContent, CancellationToken cancellationToken, bool createsIssue = false)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                await WaitUntilAsync(_blockedUntil, cancellationToken).ConfigureAwait(false);
                if (mutating)
                {
                    await WaitUntilAsync(_nextMutationAt, cancellationToken).ConfigureAwait(false);
                }

                if (createsContent)
                {
                    await WaitForBudgetAsync(_creations, _options.MaxContentCreationsPerHour, TimeSpan.FromHours(1), "Content-creation", cancellationToken).ConfigureAwait(false);
                }

                if (createsIssue)
                {
                    await WaitForBudgetAsync(_issueCreations, _options.MaxIssueCreationsPerHour, TimeSpan.FromHours(1), "Issue-creation", cancellationToken).ConfigureAwait(false);
                    await WaitForBudgetAsync(_issueCreations, _options.MaxIssueCreationsPerMinute, TimeSpan.FromMinutes(1), "Issue-creation", cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    var result = await call().ConfigureAwait(false);
                    _secondaryStrikes = 0;
                    ObservePrimaryLimit();
                    return result;
                }
                catch (ApiException e) when (ThrottleWait(e, out var primary) is { } wait)
                {
                    _health.Refused(primary ? GitHubRefusalReason.PrimaryLimit : GitHubRefusalReason.SecondaryLimit);
                    _blockedUntil = _clock.GetUtcNow() + wait;
                    _logger.LogWarning(
                        "GitHub throttled a request ({Status}); waiting {Wait} until {Until} before sending it again",
                        (int)e.StatusCode,
                        wait,
                        _blockedUntil);
                }
                finally
                {
                    // Measured from the end of the request: GitHub saw it no later than now.
                    var end = _clock.GetUtcNow();
                    if (mutating)
                    {
                        _nextMutationAt = end + _options.MinMutationInterval;
                    }

                    if (createsContent)
                    {
                        _creations.Enqueue(end);
                    }

                    if (createsIssue)
                    {
                        _issueCreations.Enqueue(end);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits until fewer than <paramref name="budget"/> of <paramref name="sent"/> fall in the last
    /// <paramref name="window"/>. The queue holds an hour, so the minute's count is taken from its end.
    /// </summary>
    private async Task WaitForBudgetAsync(Queue<DateTimeOffset> sent, int budget, TimeSpan window, string what, CancellationToken cancellationToken)
    {
        var hour = TimeSpan.FromHours(1);
        while (true)
        {
            var now = _clock.GetUtcNow();
            while (sent.Count > 0 && sent.Peek() <= now - hour)
            {
                sent.Dequeue();
            }

            var inWindow = sent.Where(t => t > now - window).ToList();
            if (inWindow.Count < budget)
            {
                return;
            }

            var until = inWindow[^budget] + window;
            _logger.LogInformation("{What} budget of {Budget} per {Window} used; waiting until {Until}", what, budget, window, until);
            await WaitUntilAsync(until, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ObservePrimaryLimit()
    {
        var rate = _lastApiInfo()?.RateLimit;

        // Octokit reads absent x-ratelimit-* headers as limit 0, remaining 0, reset 1970: that is "no limit
        // announced" (GitHub Enterprise Server with rate limiting off), never "none left". Ktizo's own budgets
        // (mutation interval, content and issue creations) still pace every request.
        if (rate is null || rate.Limit <= 0)
        {
            if (rate is not null && !_health.RateLimitHeadersMissing)
            {
                _health.RateLimitHeadersMissing = true;
                _logger.LogWarning(
                    "GitHub at {ApiBaseUrl} answers without rate-limit headers (GitHub Enterprise Server with rate limiting off?): "
                    + "Ktizo paces by its own budgets only (GitHub:MinMutationInterval, GitHub:MaxContentCreationsPerHour, GitHub:MaxIssueCreationsPerMinute and PerHour); "
                    + "lower them if this server refuses requests",
                    _options.ApiBaseUrl);
            }

            return;
        }

        _health.RateLimitHeadersMissing = false;
        if (rate is { Remaining: <= 0 } && rate.Reset > _clock.GetUtcNow())
        {
            _blockedUntil = rate.Reset;
            _logger.LogWarning("GitHub rate limit of {Limit} used up; pausing until {Reset}", rate.Limit, rate.Reset);
        }
    }

    /// <summary>How long a throttled response asks us to wait; null when the failure is not a throttle.</summary>
    private TimeSpan? ThrottleWait(ApiException e, out bool primary)
    {
        primary = false;
        var status = (int)e.StatusCode;
        if (status != 403 && status != 429)
        {
            return null;
        }

        var headers = e.HttpResponse?.Headers;
        if (Header(headers, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(headers, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            primary = true;
            var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - _clock.GetUtcNow();
            return wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1);
        }

        var retryAfter = Header(headers, "retry-after");
        var message = e.Message ?? string.Empty;
        var secondary = status == 429
            || retryAfter is not null
            || message.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase)
            || message.Contains("abuse", StringComparison.OrdinalIgnoreCase);
        if (!secondary)
        {
            return null;
        }

        if (int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(seconds, 1));
        }

        // No retry-after: at least a minute, then exponential while the limit persists.
        return new ExponentialBackoff(_options.SecondaryLimitBackoff, _options.MaxSecondaryLimitBackoff).After(++_secondaryStrikes);
    }

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private async Task WaitUntilAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        // A scaled or coarse timer may fire a little early: look at the clock again.
        for (var now = _clock.GetUtcNow(); now < until; now = _clock.GetUtcNow())
        {
            await Task.Delay(until - now, _clock, cancellationToken).ConfigureAwait(false);
        }
    }
}
