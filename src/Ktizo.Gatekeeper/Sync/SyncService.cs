using System.Threading.Channels;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Hosting;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// Follows the tracked branch. At start it serves the last good commit straight from the local clone
/// (no network); then it fetches every poll interval, or at once when <see cref="RequestSync"/> is
/// called (webhook, admin API), backing off while the remote is unreachable. What it fetches goes to
/// <see cref="CommitSwapper"/> (render and swap), then to <see cref="ApprovalsWorker"/>; the collections
/// after swaps are <see cref="SwapMemoryPolicy"/>'s.
/// </summary>
public sealed class SyncService : BackgroundService
{
    /// <summary>Key in the store's meta table: the commit to serve at start, before the remote answers.</summary>
    public const string LastGoodCommitKey = "last-good-commit";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly IRepositorySource _source;
    private readonly ServingState _state;
    private readonly GatekeeperMetrics _metrics;
    private readonly GatekeeperOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SyncService> _logger;
    private readonly SwapMemoryPolicy _memory = new();
    private readonly ApprovalsWorker _approvals;
    private readonly CommitSwapper _swapper;

    private readonly Channel<string> _triggers = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private TaskCompletionSource<SyncStatus> _next = NewWaiter();

    public SyncService(
        IRepositorySource source,
        IConfigRenderer renderer,
        ServingState state,
        DeviceStore store,
        GatekeeperMetrics metrics,
        GatekeeperOptions options,
        TimeProvider time,
        ILogger<SyncService> logger,
        GitHub.GitHubDecisionRelay? gitHub = null,
        Notifications.Notifier? notifier = null)
    {
        _source = source;
        _state = state;
        _metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _approvals = new ApprovalsWorker(source, state, _memory, time, logger, gitHub);
        _swapper = new CommitSwapper(source, renderer, state, store, metrics, _memory, _approvals, time, logger, notifier);
    }

    /// <summary>
    /// Asks for a sync now. The task completes when a sync that started after this call has finished
    /// (several requests in a row share one sync).
    /// </summary>
    public Task<SyncStatus> RequestSync(string trigger)
    {
        Log.SyncRequested(_logger, trigger);
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
                _swapper.LoadFromLocalClone();
                _memory.AfterSwap();
            },
            cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var approvals = Task.Run(() => _approvals.RunAsync(stoppingToken), CancellationToken.None);

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
                _memory.AfterSwap();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                answering.TrySetCanceled(stoppingToken);
                break;
            }

            answering.TrySetResult(_state.Status);
            await SignalOrTimeout.WaitAsync(t => _triggers.Reader.WaitToReadAsync(t).AsTask(), wait, _time, stoppingToken).ConfigureAwait(false);
        }

        Volatile.Read(ref _next).TrySetCanceled(stoppingToken);
        _approvals.Complete();
        await approvals.ConfigureAwait(false);
    }

    /// <returns>How long to wait before the next fetch: the poll interval, or the backoff after a failure.</returns>
    private async Task<TimeSpan> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        string head;
        try
        {
            head = await _source.FetchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failures = _state.Status.ConsecutiveFetchFailures + 1;
            var retry = new ExponentialBackoff(FirstRetry, _options.PollInterval < FirstRetry ? FirstRetry : _options.PollInterval).After(failures);
            _state.SetStatus(_state.Status with
            {
                LastFetchAttempt = started,
                LastFetchError = ex.Message,
                ConsecutiveFetchFailures = failures,
                NextFetch = started + retry,
            });
            _metrics.SyncFetchFailed.Inc();
            Log.FetchFailed(_logger, failures, retry.TotalSeconds, ex.Message);

            // A commit fetched before a crash, never rendered: the clone has it, the remote is not needed.
            if (_source.LocalHead is { } localHead && localHead != _state.Snapshot?.Commit && localHead != _state.Status.FailedCommit?.Commit)
            {
                _swapper.TryLoadLocal(localHead);
            }

            return retry;
        }

        _state.SetStatus(_state.Status with
        {
            LastFetchAttempt = started,
            LastFetchSuccess = started,
            LastFetchError = null,
            ConsecutiveFetchFailures = 0,
            RemoteHead = head,
            NextFetch = started + _options.PollInterval,
            Syncs = _state.Status.Syncs + 1,
        });

        if (_swapper.RenderAndSwap(head, "remote", tree: null))
        {
            _metrics.SyncSuccess.Inc();
        }
        else
        {
            _metrics.SyncRenderFailed.Inc();
        }

        return _options.PollInterval;
    }

    private static TaskCompletionSource<SyncStatus> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
