using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.DeviceAuth;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>
/// The outbox the GitHub worker reads: the store's, joined with what the gatekeeper serves. Only a
/// commit says a device is pending, so a device first seen since the last swap is judged by the served
/// commit here (on the worker's thread, never a request's), and nothing is filed before a commit is
/// loaded. A device the served commit approves or rejects is never filed, even in the moment before
/// the sync loop's decisions reach the store. Each sighting carries its MAC's live device flows, so the
/// issue written for it shows every claimant (docs/device-auth.md) at no extra GitHub call. Likewise the pull request an
/// approval rule opened for it (docs/rules.md): a machine a rule matches is filed once its pull request exists, or after
/// <see cref="RuleLinkWait"/>, so its issue can say "Proposed by rule … in #N" (the pull request, opened first, could not
/// name the issue).
/// </summary>
public sealed class ServingIssueOutbox(
    SqliteIssueOutbox store, ServingState state, DeviceAuthService deviceAuth, RuleProposalStore? proposals = null, TimeProvider? time = null) : IIssueOutbox
{
    /// <summary>How long after its first sighting the issue of a machine a rule matches waits for the rule's pull request.</summary>
    public static readonly TimeSpan RuleLinkWait = TimeSpan.FromMinutes(5);

    public async Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null)
        {
            return [];
        }

        await store.ClassifyAsync(snapshot.Set.StatusOf, cancellationToken).ConfigureAwait(false);
        var unfiled = await store.ListUnfiledAsync(limit, cancellationToken).ConfigureAwait(false);
        var pending = unfiled.Where(s => snapshot.Set.StatusOf(s.Mac) == DeviceStatus.Pending).ToList();
        var rows = pending.Count == 0 || proposals is null
            ? new Dictionary<MacAddress, RuleProposalRecord>()
            : (await proposals.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Mac);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var result = new List<PendingSighting>(pending.Count);
        foreach (var sighting in pending)
        {
            var row = rows.GetValueOrDefault(sighting.Mac);
            if (row?.PullRequest is null && now - sighting.FirstSeen < RuleLinkWait && AwaitsRule(snapshot, sighting, row))
            {
                continue; // its pull request is about to exist: filed at a later pass, naming it
            }

            result.Add(sighting with
            {
                Claims = deviceAuth.ClaimsOf(sighting.Mac),
                ProposedBy = row is { PullRequest: { } number } ? new RuleLink(row.Rule, number) : null,
            });
        }

        return result;
    }

    // A rule matches and has not acted yet, or has claimed the MAC and is opening (or retrying) its pull request.
    private static bool AwaitsRule(ServingSnapshot snapshot, PendingSighting sighting, RuleProposalRecord? row) =>
        row is null
            ? snapshot.Set.Rules.Rules.Count > 0 && snapshot.Set.Rules.Match(new Sighting(
                sighting.Mac, sighting.Uuid, IPAddress.TryParse(sighting.SourceAddress, out var source) ? source : null)) is not null
            : row.State == RuleProposalStates.Claimed;

    public Task RecordIssueAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        store.RecordIssueAsync(mac, issueNumber, cancellationToken);

    public Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken) =>
        store.ListOpenIssuesAsync(cancellationToken);

    public Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        store.MarkIssueClosedAsync(mac, issueNumber, cancellationToken);
}
