using Ktizo.Core;
using Ktizo.Core.Registry;
using Ktizo.Gatekeeper.DeviceAuth;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>The store's second claimants to report, each with its MAC's live device flows at the moment of reporting.</summary>
public sealed class ServingContestOutbox(SqliteContestOutbox store, DeviceAuthService deviceAuth) : IContestOutbox
{
    public async Task<IReadOnlyList<ContestedMac>> ListDueAsync(int limit, CancellationToken cancellationToken)
    {
        var due = await store.ListDueAsync(limit, cancellationToken).ConfigureAwait(false);
        return due.Select(c => c with { Claims = deviceAuth.ClaimsOf(c.Mac) }).ToList();
    }

    public Task MarkReportedAsync(MacAddress mac, DateTimeOffset since, CancellationToken cancellationToken) =>
        store.MarkReportedAsync(mac, since, cancellationToken);
}
