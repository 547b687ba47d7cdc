using Octokit;

namespace Ktizo.GitHub;

/// <summary>How the pending issues on GitHub are listed: in full now and then, otherwise only what changed.</summary>
public sealed partial class GitHubPendingDeviceIssues
{
    /// <summary>
    /// How far before the previous listing's start an incremental listing asks from. <c>since</c> and the
    /// <c>Date</c> header carry whole seconds, and a write GitHub has stamped may show in its listings a
    /// moment later (it answers reads from replicas); a few seconds more only repeats a few issues,
    /// which replace themselves in the index.
    /// </summary>
    private static readonly TimeSpan SinceMargin = TimeSpan.FromSeconds(5);

    private PendingIndex? _index;

    // On our clock: when the last listing of any kind, and the last full one, started.
    private DateTimeOffset _lastListing = DateTimeOffset.MinValue;
    private DateTimeOffset _lastFullListing = DateTimeOffset.MinValue;

    // On GitHub's clock: when the last listing started; the next incremental one asks from there.
    private DateTimeOffset _listedFrom;

    // GitHub's clock minus ours, so a skewed local clock cannot move `since` past an update.
    private TimeSpan _gitHubAhead;

    /// <summary>
    /// The kept index brought up to date: listed in full the first time, after a failed run (which
    /// dropped it) and every <see cref="ReconcileInterval"/>; otherwise only the issues changed since the
    /// previous listing are fetched, so a pass costs what changed rather than every open issue.
    /// With <paramref name="reuseRecent"/>, a listing younger than <see cref="ListingMaxAge"/> is used as
    /// it is: during a boot storm passes follow each other within a second, and each would otherwise
    /// list again everything filed within <see cref="SinceMargin"/> (a thousand issues at 200 a second,
    /// deserialized while the gatekeeper answers the storm).
    /// </summary>
    private async Task<PendingIndex> RefreshIndexAsync(bool reuseRecent, CancellationToken cancellationToken)
    {
        if (_index is not null && _clock.GetUtcNow() - _lastFullListing < ReconcileInterval)
        {
            if (!reuseRecent || _clock.GetUtcNow() - _lastListing > ListingMaxAge)
            {
                await ListChangesAsync(_index, cancellationToken).ConfigureAwait(false);
            }

            return _index;
        }

        var index = new PendingIndex();
        await ListAsync(index, since: null, cancellationToken).ConfigureAwait(false);
        _lastFullListing = _lastListing;
        return _index = index;
    }

    /// <summary>Merges into <paramref name="index"/> every pending issue updated since the previous listing, closed ones included.</summary>
    private Task ListChangesAsync(PendingIndex index, CancellationToken cancellationToken) =>
        ListAsync(index, _listedFrom - SinceMargin, cancellationToken);

    private async Task ListAsync(PendingIndex index, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var started = _clock.GetUtcNow();

        // Open only for a full listing; an incremental one needs the closed ones too, to drop them.
        var request = new RepositoryIssueRequest { State = since is null ? ItemStateFilter.Open : ItemStateFilter.All, Since = since };
        request.Labels.Add(Options.PendingLabel);
        var issues = await _repo.Pacer.ReadAsync(
            () => _repo.Client.Issue.GetAllForRepository(_repo.Owner, _repo.Name, request, new ApiOptions { PageSize = 100 }),
            cancellationToken).ConfigureAwait(false);
        _gitHubAhead = MeasureGitHubAhead() ?? _gitHubAhead;

        foreach (var issue in issues)
        {
            if (IsPending(issue))
            {
                index.Replace(issue.Number, PendingIssueText.Parse(issue.Title, issue.Body), issue.Body);
            }
            else
            {
                index.Remove(issue.Number);
            }
        }

        _lastListing = started;
        _listedFrom = started + _gitHubAhead;
    }

    // The label filter keeps unlabelled issues out of the reply, so one that lost the label leaves the
    // index at the next full listing; the check here covers a label removed during the listing.
    private bool IsPending(Issue issue) =>
        issue.PullRequest is null
        && issue.State.Value == ItemState.Open
        && issue.Labels.Any(l => string.Equals(l.Name, Options.PendingLabel, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// GitHub's clock minus ours, from the last reply: Octokit keeps its <c>Date</c> header as a difference
    /// from the machine clock, read here right after the reply, next to ours, so the two nows coincide
    /// (and the difference holds for the listing's start too). <c>Date</c> drops the fraction of its
    /// second, which only moves <c>since</c> earlier.
    /// </summary>
    private TimeSpan? MeasureGitHubAhead() =>
        _repo.Client.GetLastApiInfo() is { } info
            ? DateTimeOffset.UtcNow + info.ServerTimeDifference - _clock.GetUtcNow()
            : null;
}
