using Ktizo.Core.Files;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// Render and swap: validates and renders a commit, off the request path, with the served set as the base for
/// incremental re-rendering, and swaps it in only when it is clean. A commit that fails is reported once and
/// never served; the last good one stays live. Runs on the sync loop only (and at start, before it).
/// </summary>
internal sealed class CommitSwapper(
    IRepositorySource source,
    IConfigRenderer renderer,
    ServingState state,
    DeviceStore store,
    GatekeeperMetrics metrics,
    SwapMemoryPolicy memory,
    ApprovalsWorker approvals,
    TimeProvider time,
    ILogger logger,
    Notifications.Notifier? notifier = null)
{
    /// <summary>Serves what the local clone already has: the last commit that rendered cleanly, else its head.</summary>
    public void LoadFromLocalClone()
    {
        string? lastGood = null;
        try
        {
            lastGood = store.GetMeta(SyncService.LastGoodCommitKey);
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

    /// <summary>Serves <paramref name="commit"/> from the local clone; false when it cannot be opened or fails.</summary>
    public bool TryLoadLocal(string commit)
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
    public bool RenderAndSwap(string commit, string from, IFileTree? tree)
    {
        var current = state.Snapshot;
        var secrets = renderer.SecretsFingerprint;
        if (current?.Commit == commit && (secrets is null || current.Set.SecretsFingerprint == secrets))
        {
            (tree as IDisposable)?.Dispose();
            return true;
        }

        if (state.Status.FailedCommit is { } failed && failed.Commit == commit && failed.SecretsFingerprint == secrets)
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

        if (result.IsValid && result.Set!.PlaceholderSecrets && secrets is not null)
        {
            // A renderer that has real secrets never hands back placeholders; if one did, it is not served.
            result = result with { Set = null, Errors = [new Diagnostic("secrets-bundle", "rendered with placeholder secrets; not served", new SourceLocation(string.Empty, 0, 0))] };
        }

        if (!result.IsValid)
        {
            var errors = result.Errors.Count > 0
                ? result.Errors
                : [new Diagnostic("internal", "the renderer returned no set and no error", new SourceLocation(string.Empty, 0, 0))];
            state.SetStatus(state.Status with { FailedCommit = new RenderFailure(commit, now, errors) { SecretsFingerprint = secrets } });
            metrics.RenderFailing(errors.Count);
            Log.RenderFailed(logger, commit, errors.Count, current?.Commit);
            foreach (var error in errors)
            {
                Log.RenderError(logger, commit, error.ToString());
            }

            notifier?.CommitFailed(commit, errors, current?.Commit);

            return false;
        }

        var snapshot = new ServingSnapshot(result.Set!, commit, now, current) { PullRequest = PullRequestOf(commit) };
        RecordRenderChanges(snapshot);
        memory.Swapped(result.Stats);
        state.Swap(snapshot);
        state.SetStatus(state.Status with { ServedCommit = commit, ServedSince = now, ServedFrom = from, FailedCommit = null });
        metrics.Served(commit);
        metrics.RenderFailing(0);
        Log.Serving(
            logger, commit, snapshot.Set.Approved.Count, snapshot.Set.Rejected.Count,
            result.Stats.Rendered, result.Stats.Reused, (long)elapsed.TotalMilliseconds, from);

        // On disk before the commit is recorded as served: a crash in between announces it again after the restart,
        // with the same event ids (they follow from device and commit), rather than never.
        notifier?.CommitSwapped(current, snapshot);
        try
        {
            store.SetMeta(SyncService.LastGoodCommitKey, commit);
        }
        catch (Exception ex)
        {
            Log.LocalLoadFailed(logger, ex, commit);
        }

        approvals.Enqueue(snapshot);
        return true;
    }

    private int? PullRequestOf(string commit)
    {
        try
        {
            return source.PullRequestOf(commit);
        }
        catch (Exception ex)
        {
            Log.PullRequestUnknown(logger, ex, commit);
            return null;
        }
    }

    // Before the swap, so that a machine's drift names the commit from the moment it is served (docs/drift.md). One group
    // commit, waited for on the sync loop, never on a request; a failed write costs the "since" of this commit only.
    private void RecordRenderChanges(ServingSnapshot snapshot)
    {
        try
        {
            var changed = store.RecordRenderChangesAsync(
                snapshot.Commit, snapshot.PullRequest, snapshot.Set.Approved.Select(p => (p.Key, p.Value.Sha256))).GetAwaiter().GetResult();
            if (changed > 0)
            {
                Log.RendersChanged(logger, snapshot.Commit, changed);
            }
        }
        catch (Exception ex)
        {
            Log.RenderChangesNotRecorded(logger, ex, snapshot.Commit);
        }
    }
}
