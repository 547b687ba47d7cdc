using Ktizo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.GitHub;

/// <summary>
/// Drains the outbox into GitHub in the background. A failed pass (GitHub down, 5xx) is logged and
/// retried with exponential backoff; since the outbox is durable and every pass starts by listing
/// what is on GitHub, nothing is lost and nothing is filed twice when GitHub comes back.
/// A refusal only a person can fix (issues disabled, a token that cannot write) parks the worker for
/// <see cref="GitHubOptions.RefusedBackoff"/> between tries, logged once per episode with what to do.
/// </summary>
public sealed partial class PendingIssueWorker : BackgroundService
{
    private readonly IPendingDeviceIssues _issues;
    private readonly PendingIssueSignal _signal;
    private readonly GitHubOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<PendingIssueWorker> _logger;
    private readonly GitHubHealth _health;

    /// <param name="health">where refusals are counted and parking is shown; the gatekeeper's singleton, a new one when null</param>
    public PendingIssueWorker(
        IPendingDeviceIssues issues, PendingIssueSignal signal, GitHubOptions options, TimeProvider clock, ILogger<PendingIssueWorker> logger, GitHubHealth? health = null)
    {
        _issues = issues;
        _signal = signal;
        _options = options;
        _clock = clock;
        _logger = logger;
        _health = health ?? new GitHubHealth();
    }

    /// <summary>Consecutive failed passes so far (0 after a good one).</summary>
    public int Failures { get; private set; }

    /// <summary>Passes completed, good or failed; tests wait on it.</summary>
    public int Passes { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_issues.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            IssuePassResult result;
            try
            {
                result = await _issues.RunPassAsync(stoppingToken).ConfigureAwait(false);
                Failures = 0;
                Passes++;
                if (_health.Parked is { } ended)
                {
                    LogUnparked(_options.Repository, ended.Passes, _clock.GetUtcNow() - ended.Since);
                    _health.Unpark();
                }

                if (result != IssuePassResult.Idle)
                {
                    _logger.LogInformation(
                        "GitHub pass: {Created} opened, {Folded} in digest, {Linked} linked, {Duplicates} duplicates closed, {Resolved} resolved, {Claimants} second claimants reported",
                        result.Created,
                        result.Folded,
                        result.Linked,
                        result.DuplicatesClosed,
                        result.Resolved,
                        result.ClaimantsReported);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (GitHubRefusal.PermanentOf(e) is { } reason)
            {
                Failures++;
                Passes++;
                Park(reason);
                await DelayAsync(_options.RefusedBackoff, stoppingToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e)
            {
                Failures++;
                Passes++;
                var wait = new ExponentialBackoff(_options.FailureBackoff, _options.MaxFailureBackoff).After(Failures);
                // Type and message only: Octokit's messages are GitHub's response text, never the request's headers.
                _logger.LogWarning("GitHub pass failed ({Failures} in a row): {Error}: {Message}; next try in {Wait}", Failures, e.GetType().Name, e.Message, wait);
                await DelayAsync(wait, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (!result.MoreWork)
            {
                bool woken;
                try
                {
                    woken = await _signal.WaitAsync(_options.PollInterval, _clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (woken && _options.WakeDelay > TimeSpan.Zero)
                {
                    await DelayAsync(_options.WakeDelay, stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Counts the refusal and shows the parked state; the advice is logged when the episode starts or its reason changes.</summary>
    private void Park(GitHubRefusalReason reason)
    {
        _health.Refused(reason);
        var now = _clock.GetUtcNow();
        var until = now + _options.RefusedBackoff;
        var was = _health.Parked;
        if (was is not null && was.Reason == reason)
        {
            _health.Park(was with { Until = until, Passes = was.Passes + 1 });
            LogStillParked(reason, was.Passes + 1, _options.RefusedBackoff.Value);
            return;
        }

        _health.Park(new GitHubParked(reason, was?.Since ?? now, until, (was?.Passes ?? 0) + 1));
        LogParked(GitHubRefusal.Advice(reason, _options), _options.RefusedBackoff.Value);
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Error, Message = "GitHub refuses the pending-device issues: {Advice}. Machines waiting for an issue stay in the outbox and are filed once GitHub takes them; the worker tries again every {Wait} (GitHub:RefusedBackoff; logged once until that changes)")]
    private partial void LogParked(string advice, TimeSpan wait);

    [LoggerMessage(EventId = 611, Level = LogLevel.Debug, Message = "GitHub still refuses ({Reason}, {Passes} passes in a row); next try in {Wait}")]
    private partial void LogStillParked(GitHubRefusalReason reason, int passes, TimeSpan wait);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "GitHub takes the pending-device issues of {Repository} again, after {Passes} refused passes over {Duration}")]
    private partial void LogUnparked(string? repository, int passes, TimeSpan duration);

    private async Task DelayAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(wait, _clock, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
