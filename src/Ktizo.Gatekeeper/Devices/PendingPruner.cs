using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Hosting;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// Forgets machines nobody approved (issue 15, finding 5): every <see cref="Interval"/>, devices never approved
/// and not seen for PendingRetention are deleted from the store, with their outbox rows, through the store's one
/// connection. Approved and rejected devices (by the served commit, or ever, as the store knows) are never pruned,
/// and nothing is pruned before a commit is served (only a commit says what is pending). One log line per pass that
/// prunes; <c>ktizo_pending_pruned_total</c> counts them.
/// </summary>
public sealed partial class PendingPruner(
    DeviceStore store, ServingState state, GatekeeperOptions options, GatekeeperMetrics metrics, TimeProvider time, ILogger<PendingPruner> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly ExponentialBackoff Backoff = new(TimeSpan.FromMinutes(1), Interval);

    private readonly Counter _pruned = metrics.Factory.CreateCounter("ktizo_pending_pruned_total", "Never-approved devices forgotten after PendingRetention without a sighting.");
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Runs a pass now rather than at the next interval (tests; a pass already running is not doubled).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>One pass: the MACs pruned (none when retention is off or no commit is served).</summary>
    public async Task<int> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var retention = options.PendingRetention.Value;
        var snapshot = state.Snapshot;
        if (retention <= TimeSpan.Zero || snapshot is null)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - retention;
        var pruned = await store.PruneNeverApprovedAsync(cutoff, mac => snapshot.Set.StatusOf(mac) != DeviceStatus.Pending, cancellationToken)
            .ConfigureAwait(false);
        if (pruned.Count > 0)
        {
            _pruned.Inc(pruned.Count);
            LogPruned(pruned.Count, options.PendingRetention.ToString(), store.Count);
        }

        return pruned.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.PendingRetention.Value <= TimeSpan.Zero)
        {
            return;
        }

        var failures = 0;
        var wait = TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            await SignalOrTimeout.WaitAsync(_wake.WaitAsync, wait, time, stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                wait = Interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                wait = Backoff.After(++failures);
                LogFailed(ex, wait.TotalSeconds);
            }
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Pruned {Count} never-approved devices not seen for {Retention}; the store holds {Remaining}")]
    private partial void LogPruned(int count, string retention, int remaining);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Pruning stale pending devices failed; next try in {Seconds} s")]
    private partial void LogFailed(Exception exception, double seconds);
}
