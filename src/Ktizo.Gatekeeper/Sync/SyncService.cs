using System.Threading.Channels;
using Ktizo.Core.Files;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// Follows the tracked branch. At start it serves the last good commit straight from the local clone
/// (no network); then it fetches every poll interval, or at once when <see cref="RequestSync"/> is
/// called (webhook, admin API), backing off while the remote is unreachable. A new head is validated
/// and rendered here, off the request path, with the served set as the base for incremental
/// re-rendering, and swapped in only when it is clean.
/// </summary>
public sealed class SyncService(
    IRepositorySource source,
    IConfigRenderer renderer,
    ServingState state,
    DeviceStore store,
    GatekeeperMetrics metrics,
    GatekeeperOptions options,
    TimeProvider time,
    ILogger<SyncService> logger,
    GitHub.GitHubDecisionRelay? gitHub = null) : BackgroundService
{
    /// <summary>Key in the store's meta table: the commit to serve at start, before the remote answers.</summary>
    public const string LastGoodCommitKey = "last-good-commit";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly Channel<string> _triggers = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Swapped snapshots whose approvals are still to be found; only the newest waiting one matters.
    private readonly Channel<ServingSnapshot> _approvalsToFind = Channel.CreateBounded<ServingSnapshot>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private TaskCompletionSource<SyncStatus> _next = NewWaiter();

    // What the last swap's render was, for ReturnMemoryAfterSwap: null when nothing was swapped since.
    private RenderStats? _swappedRender;

    // Managed heap size right after the last collection ReturnMemory ran, and the lock the sync loop and the
    // approvals worker share for it.
    private long _heapAfterCollection;
    private readonly Lock _memoryLock = new();

    // How long the approvals worker waits for another swap before collecting its history walk's garbage.
    private static readonly TimeSpan QuietBeforeCollecting = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Asks for a sync now. The task completes when a sync that started after this call has finished
    /// (several requests in a row share one sync).
    /// </summary>
    public Task<SyncStatus> RequestSync(string trigger)
    {
        Log.SyncRequested(logger, trigger);
        var waiter = Volatile.Read(ref _next).Task;
        _triggers.Writer.TryWrite(trigger);
        return waiter;
    }

    /// <summary>
    /// Serves the local clone's last good commit before the web server starts listening (ASP.NET Core
    /// starts hosted services first): a restarted gatekeeper never answers 503 for a commit it holds.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.Run(
            () =>
            {
                LoadFromLocalClone();
                ReturnMemoryAfterSwap();
            },
            cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var approvals = Task.Run(() => FindApprovalsAsync(stoppingToken), CancellationToken.None);

        while (!stoppingToken.IsCancellationRequested)
        {
            // Requests made from here on wait for the next round; this one answers those made before.
            var answering = Interlocked.Exchange(ref _next, NewWaiter());
            while (_triggers.Reader.TryRead(out _))
            {
            }

            TimeSpan wait;
            try
            {
                wait = await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
                ReturnMemoryAfterSwap();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                answering.TrySetCanceled(stoppingToken);
                break;
            }

            answering.TrySetResult(state.Status);
            await ReadableWithinAsync(_triggers.Reader, wait, stoppingToken).ConfigureAwait(false);
        }

        Volatile.Read(ref _next).TrySetCanceled(stoppingToken);
        _approvalsToFind.Writer.TryComplete();
        await approvals.ConfigureAwait(false);
    }

    /// <summary>
    /// Finds who approved each device file of a swapped-in commit, then hands the pair to GitHub. A history walk
    /// takes a while at 10,000 devices; here, off the sync loop, it no longer delays the next push's render.
    /// A commit swapped out before its turn is skipped: the newest one is what the UI and GitHub need.
    /// </summary>
    private async Task FindApprovalsAsync(CancellationToken stoppingToken)
    {
        var reader = _approvalsToFind.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var snapshot))
                {
                    UpdateApprovals(snapshot);
                    gitHub?.Swapped(snapshot, state.Approvals);
                }

                // The history walk allocates as much as the one-device render before it, after that render's
                // collection: at 10,000 devices RSS settled 18 MB higher after 20 syncs without this. It waits
                // for a quiet moment, because in a burst of pushes its pause would delay the next sync.
                if (!await ReadableWithinAsync(reader, QuietBeforeCollecting, stoppingToken).ConfigureAwait(false)
                    && !stoppingToken.IsCancellationRequested)
                {
                    ReturnMemory(afterLargeRender: false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<TimeSpan> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        string head;
        try
        {
            head = await source.FetchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failures = state.Status.ConsecutiveFetchFailures + 1;
            var retry = Backoff(failures);
            state.SetStatus(state.Status with
            {
                LastFetchAttempt = started,
                LastFetchError = ex.Message,
                ConsecutiveFetchFailures = failures,
                NextFetch = started + retry,
            });
            metrics.SyncFetchFailed.Inc();
            Log.FetchFailed(logger, failures, retry.TotalSeconds, ex.Message);

            // A commit fetched before a crash, never rendered: the clone has it, the remote is not needed.
            if (source.LocalHead is { } localHead && localHead != state.Snapshot?.Commit && localHead != state.Status.FailedCommit?.Commit)
            {
                TryLoadLocal(localHead);
            }

            return retry;
        }

        state.SetStatus(state.Status with
        {
            LastFetchAttempt = started,
            LastFetchSuccess = started,
            LastFetchError = null,
            ConsecutiveFetchFailures = 0,
            RemoteHead = head,
            NextFetch = started + options.PollInterval,
            Syncs = state.Status.Syncs + 1,
        });

        if (RenderAndSwap(head, "remote", tree: null))
        {
            metrics.SyncSuccess.Inc();
        }
        else
        {
            metrics.SyncRenderFailed.Inc();
        }

        return options.PollInterval;
    }

    /// <summary>Serves what the local clone already has: the last commit that rendered cleanly, else its head.</summary>
    private void LoadFromLocalClone()
    {
        string? lastGood = null;
        try
        {
            lastGood = store.GetMeta(LastGoodCommitKey);
        }
        catch (Exception ex)
        {
            Log.LocalLoadFailed(logger, ex, "(store)");
        }

        if (lastGood is not null && TryLoadLocal(lastGood))
        {
            return;
        }

        if (source.LocalHead is { } head && head != lastGood)
        {
            TryLoadLocal(head);
        }
    }

    private bool TryLoadLocal(string commit)
    {
        IFileTree tree;
        try
        {
            tree = source.OpenTree(commit);
        }
        catch (Exception ex)
        {
            Log.LocalLoadFailed(logger, ex, commit);
            return false;
        }

        return RenderAndSwap(commit, "local-clone", tree);
    }

    /// <returns>True when <paramref name="commit"/> is what is served afterwards.</returns>
    private bool RenderAndSwap(string commit, string from, IFileTree? tree)
    {
        var current = state.Snapshot;
        if (current?.Commit == commit)
        {
            (tree as IDisposable)?.Dispose();
            return true;
        }

        if (state.Status.FailedCommit?.Commit == commit)
        {
            // Already reported; rendering it again would give the same errors.
            (tree as IDisposable)?.Dispose();
            return false;
        }

        var started = time.GetTimestamp();
        RenderResult result;
        try
        {
            tree ??= source.OpenTree(commit);
            result = renderer.Render(tree, current?.Set);
        }
        catch (Exception ex)
        {
            Log.RenderCrashed(logger, ex, commit);
            result = new RenderResult(
                null,
                [new Diagnostic("internal", $"rendering failed unexpectedly ({ex.GetType().Name}: {ex.Message})", new SourceLocation(string.Empty, 0, 0))],
                new RenderStats(0, 0, TimeSpan.Zero));
        }
        finally
        {
            (tree as IDisposable)?.Dispose();
        }

        var elapsed = time.GetElapsedTime(started);
        metrics.RenderDuration.Observe(elapsed.TotalSeconds);
        var now = time.GetUtcNow();

        if (!result.IsValid)
        {
            var errors = result.Errors.Count > 0
                ? result.Errors
                : [new Diagnostic("internal", "the renderer returned no set and no error", new SourceLocation(string.Empty, 0, 0))];
            state.SetStatus(state.Status with { FailedCommit = new RenderFailure(commit, now, errors) });
            metrics.RenderFailing(errors.Count);
            Log.RenderFailed(logger, commit, errors.Count, current?.Commit);
            foreach (var error in errors)
            {
                Log.RenderError(logger, commit, error.ToString());
            }

            return false;
        }

        var snapshot = new ServingSnapshot(result.Set!, commit, now, current);
        _swappedRender = result.Stats;
        state.Swap(snapshot);
        state.SetStatus(state.Status with { ServedCommit = commit, ServedSince = now, ServedFrom = from, FailedCommit = null });
        metrics.Served(commit);
        metrics.RenderFailing(0);
        Log.Serving(
            logger, commit, snapshot.Set.Approved.Count, snapshot.Set.Rejected.Count,
            result.Stats.Rendered, result.Stats.Reused, (long)elapsed.TotalMilliseconds, from);

        try
        {
            store.SetMeta(LastGoodCommitKey, commit);
        }
        catch (Exception ex)
        {
            Log.LocalLoadFailed(logger, ex, commit);
        }

        _approvalsToFind.Writer.TryWrite(snapshot);
        return true;
    }

    private void UpdateApprovals(ServingSnapshot snapshot)
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

    /// <summary>
    /// The previous set is garbage once a new one is swapped in, but it lived long enough to reach gen 2, where the
    /// GC lets garbage pile up: RSS at 10,000 devices went from ~180 MB ready to ~280 MB after 20 syncs, and a full
    /// render (start-up, a template change) allocates over a gigabyte and left the heap grown. One blocking
    /// collection here, after the swap and outside the method that still referenced the previous set, gives that
    /// memory back (aggressively, decommitting, after a large render). It delays only the next sync, not the swap,
    /// and runs only once the heap has grown by a quarter since the last one: a full collection of 10,000 devices'
    /// live set costs tens of milliseconds of CPU, too much to pay for every one-device commit.
    /// </summary>
    private void ReturnMemoryAfterSwap()
    {
        if (_swappedRender is not { } render)
        {
            return;
        }

        _swappedRender = null;
        ReturnMemory(afterLargeRender: render.Rendered > render.Reused);
    }

    private void ReturnMemory(bool afterLargeRender)
    {
        lock (_memoryLock)
        {
            if (afterLargeRender)
            {
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else if (GC.GetTotalMemory(forceFullCollection: false) > _heapAfterCollection + (_heapAfterCollection / 4))
            {
                // Aggressive: a forced compaction left the freed regions committed (anonymous RSS grew ~40 MB over 20 syncs).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else
            {
                return;
            }

            _heapAfterCollection = GC.GetTotalMemory(forceFullCollection: false);
            NativeMethods.TrimNativeHeap();
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var cap = options.PollInterval < FirstRetry ? FirstRetry : options.PollInterval;
        var seconds = FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return seconds >= cap.TotalSeconds ? cap : TimeSpan.FromSeconds(seconds);
    }

    // Waits until the channel has something to read (or is completed) or the wait runs out, on the service's
    // clock; true when the channel came first.
    private async Task<bool> ReadableWithinAsync<T>(ChannelReader<T> reader, TimeSpan wait, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, time, cts.Token);
        var readable = reader.WaitToReadAsync(cts.Token).AsTask();
        var first = await Task.WhenAny(delay, readable).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, readable).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return first == readable;
    }

    private static TaskCompletionSource<SyncStatus> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
