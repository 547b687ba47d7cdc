using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
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
/// issue written for it shows every claimant (docs/device-auth.md) at no extra GitHub call.
/// </summary>
public sealed class ServingIssueOutbox(SqliteIssueOutbox store, ServingState state, DeviceAuthService deviceAuth) : IIssueOutbox
{
    public async Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null)
        {
            return [];
        }

        await store.ClassifyAsync(snapshot.Set.StatusOf, cancellationToken).ConfigureAwait(false);
        var unfiled = await store.ListUnfiledAsync(limit, cancellationToken).ConfigureAwait(false);
        return unfiled.Where(s => snapshot.Set.StatusOf(s.Mac) == DeviceStatus.Pending)
            .Select(s => s with { Claims = deviceAuth.ClaimsOf(s.Mac) })
            .ToList();
    }

    public Task RecordIssueAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        store.RecordIssueAsync(mac, issueNumber, cancellationToken);

    public Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken) =>
        store.ListOpenIssuesAsync(cancellationToken);

    public Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        store.MarkIssueClosedAsync(mac, issueNumber, cancellationToken);
}
