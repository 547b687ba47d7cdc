using System.Threading.Channels;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Ktizo.Gatekeeper.Serving;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>
/// Carries what a swapped-in commit decided to GitHub, off the sync loop and off every request:
/// <see cref="Swapped"/> only hands the snapshot over (the latest wins: the store compares with what it
/// recorded, so a skipped commit loses nothing). In the background the store records the decisions
/// (approved/rejected by which commit and pull request) and the issues they close are commented on and
/// closed through <see cref="IPendingDeviceIssues.ApplyDecisionsAsync"/>. If GitHub fails, the decisions
/// stay in the store and the worker's next pass closes them.
/// </summary>
public sealed partial class GitHubDecisionRelay(
    SqliteIssueOutbox outbox,
    IPendingDeviceIssues issues,
    PendingIssueSignal signal,
    ILogger<GitHubDecisionRelay> logger) : BackgroundService
{
    private readonly Channel<(ServingSnapshot Snapshot, ApprovalIndex Approvals)> _swaps =
        Channel.CreateBounded<(ServingSnapshot, ApprovalIndex)>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    private int _handled;

    /// <summary>Swaps handled so far (tests wait on it).</summary>
    public int Handled => Volatile.Read(ref _handled);

    /// <summary>Called by the sync loop after a commit is swapped in and its approvals are known. Never blocks.</summary>
    public void Swapped(ServingSnapshot snapshot, ApprovalIndex approvals) => _swaps.Writer.TryWrite((snapshot, approvals));

    /// <summary>What <paramref name="snapshot"/> decides per device, with the commit (and pull request) that added each file.</summary>
    public static Dictionary<MacAddress, DeviceDecision> Decisions(ServingSnapshot snapshot, ApprovalIndex approvals)
    {
        var decided = new Dictionary<MacAddress, DeviceDecision>();
        var current = approvals.Commit == snapshot.Commit;
        foreach (var (mac, file, status) in snapshot.Set.DeviceFiles)
        {
            if (status is not (DeviceStatus.Approved or DeviceStatus.Rejected))
            {
                continue;
            }

            decided[mac] = current && approvals.ByPath.TryGetValue(file, out var approval)
                ? new DeviceDecision(status, approval.Commit, approval.PullRequest)
                : new DeviceDecision(status, snapshot.Commit, null);
        }

        return decided;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (snapshot, approvals) in _swaps.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await HandleAsync(snapshot, approvals, stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _handled);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(ServingSnapshot snapshot, ApprovalIndex approvals, CancellationToken cancellationToken)
    {
        IReadOnlyList<DecidedIssue> decided;
        try
        {
            decided = await outbox.ApplyCommitAsync(Decisions(snapshot, approvals), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(e, snapshot.Commit);
            return;
        }

        if (decided.Count == 0)
        {
            return;
        }

        foreach (var group in decided.GroupBy(d => (d.Decision.Commit, d.Decision.PullRequest)))
        {
            var decisions = new CommitDecisions(
                group.Key.Commit,
                group.Key.PullRequest,
                group.Where(d => d.Decision.Status == DeviceStatus.Approved).Select(d => d.Mac).ToList(),
                group.Where(d => d.Decision.Status == DeviceStatus.Rejected).Select(d => d.Mac).ToList());
            try
            {
                var result = await issues.ApplyDecisionsAsync(decisions, cancellationToken).ConfigureAwait(false);
                LogApplied(group.Key.Commit, result.IssuesClosed, result.DigestLinesTicked);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Recorded in the store: the worker's pass closes them once GitHub answers.
                LogGitHubFailed(group.Key.Commit, e.GetType().Name, e.Message);
                signal.Notify();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the decisions of commit {Commit} in the issue outbox failed")]
    private partial void LogStoreFailed(Exception exception, string commit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Commit {Commit}: {Closed} pending issues closed, {Ticked} digest lines ticked")]
    private partial void LogApplied(string commit, int closed, int ticked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the issues decided by commit {Commit} failed ({Error}: {Message}); the worker retries")]
    private partial void LogGitHubFailed(string commit, string error, string message);
}
