using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Logging;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>
/// Pending-device issues on GitHub, driven from the <see cref="IIssueOutbox"/>.
/// </summary>
/// <remarks>
/// Exactly one place on GitHub per pending MAC, across restarts and replicas:
/// <list type="number">
/// <item>An index of the open issues carrying the pending label is kept between passes and brought up
/// to date once per pass, instead of searching per MAC; MACs are matched by the hidden marker in the
/// body (or the title). The first pass, a pass after any failure (the index is dropped then) and one
/// every <see cref="ReconcileInterval"/> list every open issue (paginated); the others list only the
/// issues updated since the previous listing started (<c>since</c>, on GitHub's clock less a margin,
/// <c>state=all</c> so closed ones leave the index). A pass so costs what changed, not what is open.</item>
/// <item>A MAC already there is only recorded. Otherwise it gets a single issue while fewer than
/// <see cref="GitHubOptions.MaxOpenPendingIssues"/> are open, else a line in a digest issue.</item>
/// <item>The number is recorded right after the create, so a crash in between is healed by the next
/// full listing, not by creating again.</item>
/// <item>Replicas racing for one MAC may both create: after every pass's listing, full or incremental,
/// the lowest-numbered place of each MAC is kept and the others are closed as duplicates (not planned,
/// "Duplicate of #N"); the outbox is pointed at the survivor.</item>
/// </list>
/// </remarks>
public sealed partial class GitHubPendingDeviceIssues : IPendingDeviceIssues
{
    private readonly GitHubRepository _repo;
    private readonly IIssueOutbox _outbox;
    private readonly TimeProvider _clock;
    private readonly ILogger<GitHubPendingDeviceIssues> _logger;
    private readonly IContestOutbox? _contests;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private bool _labelsEnsured;

    /// <param name="contests">second claimants to report (the gatekeeper's; null: none)</param>
    public GitHubPendingDeviceIssues(
        GitHubRepository repo, IIssueOutbox outbox, TimeProvider clock, ILogger<GitHubPendingDeviceIssues> logger, IContestOutbox? contests = null)
    {
        _contests = contests;
        _repo = repo;
        _outbox = outbox;
        _clock = clock;
        _logger = logger;
    }

    public bool Enabled => true;

    private GitHubOptions Options => _repo.Options;

    /// <summary>The repository's refusal counts and parked state (the worker of this service shares them).</summary>
    internal GitHubHealth Health => _repo.Health;

    /// <summary>
    /// How often every open issue is listed rather than only the changes: heals what an incremental
    /// listing cannot see (a label removed, a write GitHub showed later than the margin allows), and
    /// starts a pass on its own to heal races and lost digest edits when nothing else happens.
    /// </summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A listing older than this is refreshed (incrementally) before the next create, so a replica sees
    /// what the others filed meanwhile (a pass of 100 paced creates takes minutes). The refresh asks only
    /// for what changed since the previous one, usually one short page; a duplicate it misses is
    /// closed by the next pass's sweep.
    /// </summary>
    public TimeSpan ListingMaxAge { get; init; } = DefaultListingMaxAge;

    internal static readonly TimeSpan DefaultListingMaxAge = TimeSpan.FromSeconds(10);

    public Task<IssuePassResult> RunPassAsync(CancellationToken cancellationToken) =>
        ExclusiveAsync(RunPassCoreAsync, cancellationToken);

    public Task<DecisionResult> ApplyDecisionsAsync(CommitDecisions decisions, CancellationToken cancellationToken) =>
        ExclusiveAsync(ct => ApplyDecisionsCoreAsync(decisions, ct), cancellationToken);

    /// <summary>
    /// One pass or decision at a time per instance. Any failure drops the kept index: what GitHub did
    /// with a request that failed is unknown (a create may have landed), so the next run lists in full.
    /// </summary>
    private async Task<T> ExclusiveAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _index = null;
            _claimantsUncertain = true;
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<IssuePassResult> RunPassCoreAsync(CancellationToken cancellationToken)
    {
        var unfiled = await _outbox.ListUnfiledAsync(Options.BatchSize, cancellationToken).ConfigureAwait(false);
        var filed = await _outbox.ListOpenIssuesAsync(cancellationToken).ConfigureAwait(false);
        var decided = filed.Where(f => f.Decision is not null).ToList();
        var reconcileDue = filed.Count > 0 && _clock.GetUtcNow() - _lastFullListing >= ReconcileInterval;

        // On the first pass even when idle, that is when the worker starts: a wrong token or repository
        // is logged then rather than at the first unknown machine, and the connection to GitHub and
        // Octokit's code are warm before a boot storm needs them (they were cold JIT in its first seconds).
        await EnsureLabelsAsync(cancellationToken).ConfigureAwait(false);

        // Before filing: a claimant whose MAC is filed in this pass is reported in the next, once recorded.
        var claimants = _contests is null ? [] : await _contests.ListDueAsync(Options.BatchSize, cancellationToken).ConfigureAwait(false);
        var claimantsReported = claimants.Count == 0 ? 0 : await ReportClaimantsAsync(claimants, cancellationToken).ConfigureAwait(false);
        if (unfiled.Count == 0 && decided.Count == 0 && !reconcileDue)
        {
            return claimantsReported == 0 ? IssuePassResult.Idle : IssuePassResult.Idle with { ClaimantsReported = claimantsReported };
        }
        var index = await RefreshIndexAsync(reuseRecent: true, cancellationToken).ConfigureAwait(false);
        var duplicates = await CloseDuplicatesAsync(index, cancellationToken).ConfigureAwait(false);

        var resolved = await ResolveAsync(
            decided.Select(f => (f.Sighting.Mac, f.Decision!, (int?)f.IssueNumber)).ToList(), index, cancellationToken).ConfigureAwait(false);

        var linked = 0;
        var toDigest = new List<PendingSighting>();
        foreach (var f in filed.Where(f => f.Decision is null))
        {
            var place = index.Locate(f.Sighting.Mac);
            if (place is { } number && number != f.IssueNumber)
            {
                await _outbox.RecordIssueAsync(f.Sighting.Mac, number, cancellationToken).ConfigureAwait(false);
                linked++;
            }
            else if (place is null && index.Digests.ContainsKey(f.IssueNumber))
            {
                // Recorded in an open digest that no longer lists it: a concurrent edit lost the line.
                toDigest.Add(f.Sighting);
            }
        }

        var created = 0;

        // Issue numbers are written while the next issue is created and awaited together at the end of
        // the pass, so they share the store's group commits instead of one fsync per issue. A crash before
        // they are durable loses nothing: the next listing finds each issue by its marker and links it.
        var recording = new List<Task>();
        foreach (var sighting in unfiled)
        {
            if (_clock.GetUtcNow() - _lastListing > ListingMaxAge && index.Locate(sighting.Mac) is null)
            {
                await ListChangesAsync(index, cancellationToken).ConfigureAwait(false);
            }

            if (index.Locate(sighting.Mac) is { } existing)
            {
                await _outbox.RecordIssueAsync(sighting.Mac, existing, cancellationToken).ConfigureAwait(false);
                linked++;
            }
            else if (index.OpenSingles < Options.MaxOpenPendingIssues && toDigest.Count == 0)
            {
                var issue = await CreateSingleAsync(sighting, cancellationToken).ConfigureAwait(false);
                index.AddSingle(sighting.Mac, issue.Number, issue.Body ?? string.Empty);
                recording.Add(_outbox.RecordIssueAsync(sighting.Mac, issue.Number, cancellationToken));
                created++;
            }
            else
            {
                toDigest.Add(sighting);
            }
        }

        await Task.WhenAll(recording).ConfigureAwait(false);
        var folded = await AddToDigestsAsync(toDigest, index, cancellationToken).ConfigureAwait(false);
        return new IssuePassResult(created, folded, linked, duplicates, resolved.IssuesClosed + resolved.DigestLinesTicked, unfiled.Count >= Options.BatchSize)
        {
            ClaimantsReported = claimantsReported,
        };
    }

    private async Task<DecisionResult> ApplyDecisionsCoreAsync(CommitDecisions decisions, CancellationToken cancellationToken)
    {
        var recorded = (await _outbox.ListOpenIssuesAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(f => f.Sighting.Mac)
            .ToDictionary(g => g.Key, g => g.First().IssueNumber);
        var items = decisions.Approved.Select(m => (m, new DeviceDecision(DeviceStatus.Approved, decisions.Commit, decisions.PullRequest)))
            .Concat(decisions.Rejected.Select(m => (m, new DeviceDecision(DeviceStatus.Rejected, decisions.Commit, decisions.PullRequest))))
            .Select(x => (x.m, x.Item2, recorded.TryGetValue(x.m, out var n) ? n : (int?)null))
            .ToList();
        if (items.Count == 0)
        {
            return new DecisionResult(0, 0);
        }

        // Always fresh: a decision closes issues, and one filed a moment ago by another replica must close too.
        var index = await RefreshIndexAsync(reuseRecent: false, cancellationToken).ConfigureAwait(false);
        return await ResolveAsync(items, index, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DecisionResult> ResolveAsync(
        IReadOnlyList<(MacAddress Mac, DeviceDecision Decision, int? Recorded)> items,
        PendingIndex index,
        CancellationToken cancellationToken)
    {
        var closed = 0;
        var ticks = new Dictionary<int, Dictionary<MacAddress, string>>();
        foreach (var (mac, decision, recorded) in items)
        {
            var approved = decision.Status == DeviceStatus.Approved;
            foreach (var number in index.SinglesOf(mac).ToList())
            {
                var comment = DecisionComment(mac, decision);
                await _repo.Pacer.MutateAsync(() => _repo.Client.Issue.Comment.Create(_repo.Owner, _repo.Name, number, comment), createsContent: true, cancellationToken).ConfigureAwait(false);
                await _repo.UpdateIssueAsync(number, body: null, ItemState.Closed, approved ? ItemStateReason.Completed : ItemStateReason.NotPlanned, cancellationToken).ConfigureAwait(false);
                index.Remove(number);
                closed++;
                _logger.LogInformation("Closed issue #{Issue} of {Mac}: {Status} by {Commit}", number, mac, decision.Status.Name(), decision.Commit);
            }

            foreach (var digest in index.DigestsListing(mac))
            {
                (ticks.TryGetValue(digest, out var t) ? t : ticks[digest] = new())[mac] = DecisionNote(decision);
            }
        }

        var ticked = 0;
        foreach (var (digest, marks) in ticks)
        {
            ticked += await EditDigestAsync(digest, index, entries =>
            {
                var n = 0;
                for (var i = 0; i < entries.Count; i++)
                {
                    if (!entries[i].Done && marks.TryGetValue(entries[i].Mac, out var note))
                    {
                        entries[i] = entries[i] with { Done = true, Note = note };
                        n++;
                    }
                }

                return n;
            }, cancellationToken).ConfigureAwait(false);
        }

        // Only now, with GitHub done: a failure above leaves the outbox entries to be retried next pass.
        foreach (var (mac, _, recorded) in items)
        {
            if (recorded is { } number)
            {
                await _outbox.MarkIssueClosedAsync(mac, number, cancellationToken).ConfigureAwait(false);
            }
        }

        return new DecisionResult(closed, ticked);
    }

    private static string DecisionComment(MacAddress mac, DeviceDecision decision)
    {
        var pr = decision.PullRequest is { } n ? $" (pull request #{n})" : string.Empty;
        return decision.Status == DeviceStatus.Approved
            ? $"Approved by commit {decision.Commit}{pr}. `{mac}` now receives its config; closing."
            : $"Rejected by commit {decision.Commit}{pr}. `{mac}` will not receive a config; closing as not planned.";
    }

    private static string DecisionNote(DeviceDecision decision) =>
        $"{decision.Status.Name()} by {decision.Commit}" + (decision.PullRequest is { } n ? $" (#{n})" : string.Empty);

    private async Task<Issue> CreateSingleAsync(PendingSighting sighting, CancellationToken cancellationToken)
    {
        var request = new NewIssue(PendingIssueText.Title(sighting.Mac)) { Body = PendingIssueText.Body(sighting) };
        request.Labels.Add(Options.PendingLabel);
        var issue = await _repo.Pacer.CreateIssueAsync(() => _repo.Client.Issue.Create(_repo.Owner, _repo.Name, request), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Opened issue #{Issue} for pending device {Mac}", issue.Number, sighting.Mac);
        return issue;
    }

    private async Task<int> AddToDigestsAsync(List<PendingSighting> sightings, PendingIndex index, CancellationToken cancellationToken)
    {
        var queue = new Queue<PendingSighting>(sightings.DistinctBy(s => s.Mac));
        var folded = 0;
        while (queue.Count > 0)
        {
            // Room is counted in lines (MaxDigestEntries) and in characters (GitHub's body limit).
            var target = index.Digests
                .Where(d => d.Value.Entries.Count < Options.MaxDigestEntries && PendingIssueText.DigestFits([.. d.Value.Entries, PendingIssueText.DigestLine(queue.Peek())]))
                .OrderBy(d => d.Key)
                .Select(d => (int?)d.Key)
                .FirstOrDefault();
            if (target is null)
            {
                var entries = TakeWhileFits(queue, []);
                var request = new NewIssue(PendingIssueText.DigestTitle) { Body = PendingIssueText.DigestBody(entries) };
                request.Labels.Add(Options.PendingLabel);
                request.Labels.Add(Options.DigestLabel);
                var issue = await _repo.Pacer.CreateIssueAsync(() => _repo.Client.Issue.Create(_repo.Owner, _repo.Name, request), cancellationToken).ConfigureAwait(false);
                index.SetDigest(issue.Number, entries);
                await RecordAllAsync(entries.Select(e => e.Mac), issue.Number, cancellationToken).ConfigureAwait(false);
                folded += entries.Count;
                _logger.LogInformation("Opened digest issue #{Issue} with {Count} pending devices", issue.Number, entries.Count);
                continue;
            }

            var number = target.Value;
            var added = new List<MacAddress>();
            await EditDigestAsync(number, index, entries =>
            {
                // Read fresh: another replica may have filled it since the listing. What no longer fits
                // stays queued for the next digest.
                var known = entries.Select(e => e.Mac).ToHashSet();
                var fresh = TakeWhileFits(queue, entries, known, added);
                added.AddRange(fresh.Select(e => e.Mac));
                entries.AddRange(fresh);
                return fresh.Count;
            }, cancellationToken).ConfigureAwait(false);
            await RecordAllAsync(added, number, cancellationToken).ConfigureAwait(false);
            folded += added.Count;
            _logger.LogInformation("Added {Count} pending devices to digest issue #{Issue}", added.Count, number);
        }

        return folded;
    }

    /// <summary>
    /// Takes sightings off <paramref name="queue"/> as lines while the digest stays within
    /// <see cref="GitHubOptions.MaxDigestEntries"/> lines and GitHub's body limit; a MAC in
    /// <paramref name="known"/> is already listed: it is only taken off, into <paramref name="listed"/>.
    /// A new digest takes at least one line.
    /// </summary>
    private List<DigestEntry> TakeWhileFits(Queue<PendingSighting> queue, List<DigestEntry> existing, HashSet<MacAddress>? known = null, List<MacAddress>? listed = null)
    {
        var taken = new List<DigestEntry>();
        var all = new List<DigestEntry>(existing);
        while (queue.Count > 0 && all.Count < Options.MaxDigestEntries)
        {
            var next = queue.Peek();
            if (known?.Contains(next.Mac) == true)
            {
                listed?.Add(queue.Dequeue().Mac);
                continue;
            }

            var line = PendingIssueText.DigestLine(next);
            all.Add(line);
            if (all.Count > 1 && !PendingIssueText.DigestFits(all))
            {
                break;
            }

            queue.Dequeue();
            taken.Add(line);
        }

        return taken;
    }

    // All at once, so the store commits a digest's lines together rather than one fsync per line.
    private Task RecordAllAsync(IEnumerable<MacAddress> macs, int number, CancellationToken cancellationToken) =>
        Task.WhenAll(macs.Select(mac => _outbox.RecordIssueAsync(mac, number, cancellationToken)));

    /// <summary>
    /// Reads the digest fresh (another replica may have edited it since the listing), applies
    /// <paramref name="change"/> and writes it back; closes it once every line is ticked.
    /// Returns what <paramref name="change"/> returned.
    /// </summary>
    private async Task<int> EditDigestAsync(int number, PendingIndex index, Func<List<DigestEntry>, int> change, CancellationToken cancellationToken)
    {
        var current = await _repo.Pacer.ReadAsync(() => _repo.Client.Issue.Get(_repo.Owner, _repo.Name, number), cancellationToken).ConfigureAwait(false);
        var entries = PendingIssueText.Parse(current.Title, current.Body).DigestEntries?.ToList() ?? [];
        var changed = change(entries);
        var done = entries.Count > 0 && entries.All(e => e.Done);
        if (changed > 0 || done)
        {
            await _repo.UpdateIssueAsync(
                number,
                PendingIssueText.DigestBody(entries),
                done ? ItemState.Closed : null,
                done ? ItemStateReason.Completed : null,
                cancellationToken).ConfigureAwait(false);
        }

        if (done || current.State.Value == ItemState.Closed)
        {
            index.Remove(number);
        }
        else
        {
            index.SetDigest(number, entries);
        }

        return changed;
    }

    private async Task<int> CloseDuplicatesAsync(PendingIndex index, CancellationToken cancellationToken)
    {
        var closed = 0;
        var digestRemovals = new Dictionary<int, HashSet<MacAddress>>();
        foreach (var mac in index.AllMacs().ToList())
        {
            var keep = index.Locate(mac);
            foreach (var number in index.SinglesOf(mac).Where(n => n != keep).ToList())
            {
                var body = index.SingleBody(number);
                var duplicate = $"Duplicate of #{keep}: another Ktizo replica filed {mac} at the same time.\n\n{body}";
                await _repo.UpdateIssueAsync(number, duplicate, ItemState.Closed, ItemStateReason.NotPlanned, cancellationToken).ConfigureAwait(false);
                index.Remove(number);
                closed++;
                _logger.LogInformation("Closed issue #{Issue} as a duplicate of #{Kept} for {Mac}", number, keep, mac);
            }

            foreach (var digest in index.DigestsListing(mac).Where(n => n != keep))
            {
                (digestRemovals.TryGetValue(digest, out var set) ? set : digestRemovals[digest] = []).Add(mac);
            }
        }

        foreach (var (digest, macs) in digestRemovals)
        {
            closed += await EditDigestAsync(digest, index, entries => entries.RemoveAll(e => !e.Done && macs.Contains(e.Mac)), cancellationToken).ConfigureAwait(false);
        }

        return closed;
    }

    private async Task EnsureLabelsAsync(CancellationToken cancellationToken)
    {
        if (_labelsEnsured)
        {
            return;
        }

        foreach (var (label, color, description) in new[]
        {
            (Options.PendingLabel, "fbca04", "A machine Ktizo has seen that is not in the inventory"),
            (Options.DigestLabel, "fef2c0", "Pending machines folded into one issue"),
        })
        {
            try
            {
                await _repo.GetLabelAsync(label, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException)
            {
                try
                {
                    await _repo.Pacer.MutateAsync(() => _repo.Client.Issue.Labels.Create(_repo.Owner, _repo.Name, new NewLabel(label, color) { Description = description }), createsContent: true, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiValidationException)
                {
                    // Another replica created it in between.
                }
            }
        }

        _labelsEnsured = true;
    }
}
