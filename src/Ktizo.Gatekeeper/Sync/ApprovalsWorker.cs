using System.Threading.Channels;
using Ktizo.Gatekeeper.GitHub;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// Finds who approved each device file of a swapped-in commit, then hands the pair to GitHub. A history walk
/// takes a while at 10,000 devices; here, off the sync loop, it does not delay the next push's render
/// (docs/benchmarks.md, item 3). A commit swapped out before its turn is skipped: the newest one is what the
/// UI and GitHub need.
/// </summary>
internal sealed class ApprovalsWorker(
    IRepositorySource source, ServingState state, SwapMemoryPolicy memory, TimeProvider time, ILogger logger, GitHubDecisionRelay? gitHub)
{
    // How long to wait for another swap before collecting the history walk's garbage: in a burst of pushes the
    // collection's pause would delay the next sync (docs/benchmarks.md, item 12).
    private static readonly TimeSpan QuietBeforeCollecting = TimeSpan.FromSeconds(2);

    // Only the newest waiting snapshot matters.
    private readonly Channel<ServingSnapshot> _toFind = Channel.CreateBounded<ServingSnapshot>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Queues a swapped-in snapshot. Never blocks.</summary>
    public void Enqueue(ServingSnapshot snapshot) => _toFind.Writer.TryWrite(snapshot);

    /// <summary>No more snapshots: <see cref="RunAsync"/> ends once the queue is empty.</summary>
    public void Complete() => _toFind.Writer.TryComplete();

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var reader = _toFind.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var snapshot))
                {
                    FindApprovals(snapshot);
                    gitHub?.Swapped(snapshot, state.Approvals);
                }

                // The history walk allocates about as much as the one-device render before it, after that render's collection.
                if (!await SignalOrTimeout.WaitAsync(t => reader.WaitToReadAsync(t).AsTask(), QuietBeforeCollecting, time, stoppingToken).ConfigureAwait(false)
                    && !stoppingToken.IsCancellationRequested)
                {
                    memory.AfterHistoryWalk();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void FindApprovals(ServingSnapshot snapshot)
    {
        try
        {
            var paths = snapshot.Set.DeviceFiles.Select(d => d.File).ToList();
            state.SetApprovals(new ApprovalIndex(snapshot.Commit, source.FindApprovals(snapshot.Commit, paths)));
        }
        catch (Exception ex)
        {
            Log.ApprovalsFailed(logger, ex, snapshot.Commit);
        }
    }
}
