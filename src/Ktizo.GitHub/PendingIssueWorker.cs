using Ktizo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.GitHub;

/// <summary>
/// Drains the outbox into GitHub in the background. A failed pass (GitHub down, 5xx) is logged and
/// retried with exponential backoff; since the outbox is durable and every pass starts by listing
/// what is on GitHub, nothing is lost and nothing is filed twice when GitHub comes back.
/// </summary>
public sealed class PendingIssueWorker : BackgroundService
{
    private readonly IPendingDeviceIssues _issues;
    private readonly PendingIssueSignal _signal;
    private readonly GitHubOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<PendingIssueWorker> _logger;

    public PendingIssueWorker(IPendingDeviceIssues issues, PendingIssueSignal signal, GitHubOptions options, TimeProvider clock, ILogger<PendingIssueWorker> logger)
    {
        _issues = issues;
        _signal = signal;
        _options = options;
        _clock = clock;
        _logger = logger;
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
