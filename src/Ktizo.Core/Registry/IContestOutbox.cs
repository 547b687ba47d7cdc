namespace Ktizo.Core.Registry;

/// <summary>
/// One live device flow as people on GitHub may see it: who claims the MAC, from where, since when. The user
/// code is left out on purpose: it is confirmed only as read on the machine's own console.
/// </summary>
public sealed record FlowClaim(string? Uuid, string? Source, DateTimeOffset StartedAt, bool Confirmed);

/// <summary>
/// A MAC that had two live device flows at once (a second claimant) in an episode not yet reported on GitHub.
/// <paramref name="Since"/> is when the episode began; <paramref name="IssueNumber"/> is the MAC's issue or digest
/// (open or closed), null when it has none; <paramref name="AwaitingIssue"/> is true while the MAC is pending and
/// its issue is not filed yet (the report waits for it). <see cref="Claims"/> are the MAC's live flows now.
/// </summary>
public sealed record ContestedMac(MacAddress Mac, DateTimeOffset Since, int? IssueNumber, bool AwaitingIssue)
{
    public IReadOnlyList<FlowClaim> Claims { get; init; } = Array.Empty<FlowClaim>();
}

/// <summary>
/// The durable queue of second claimants to report on GitHub (docs/device-auth.md): one entry per MAC and
/// episode, written with the flow that found the other one, so a restart neither loses nor repeats a report.
/// </summary>
public interface IContestOutbox
{
    /// <summary>Unreported episodes, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ContestedMac>> ListDueAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The episode of <paramref name="mac"/> that began at <paramref name="since"/> is reported (or summarised); a later episode is not touched.</summary>
    Task MarkReportedAsync(MacAddress mac, DateTimeOffset since, CancellationToken cancellationToken);
}
