using Ktizo.Core.Inventory;

namespace Ktizo.Core.Registry;

/// <summary>
/// What the device registry knows about a first sighting: enough to write a useful pending issue.
/// Optional values are null when the machine did not send them.
/// </summary>
public sealed record PendingSighting(
    MacAddress Mac,
    DateTimeOffset FirstSeen,
    string? SourceAddress,
    string? Uuid,
    string? UserAgent)
{
    /// <summary>The MAC's live device flows when the issue is written (deviceAuth on), so a second claimant is visible.</summary>
    public IReadOnlyList<FlowClaim> Claims { get; init; } = Array.Empty<FlowClaim>();

    /// <summary>The approval rule's pull request for this MAC when the issue is written (docs/rules.md), so the issue links it.</summary>
    public RuleLink? ProposedBy { get; init; }
}

/// <summary>Approval rule <paramref name="Rule"/> proposed the device in pull request <paramref name="PullRequest"/>.</summary>
public sealed record RuleLink(string Rule, int PullRequest);

/// <summary>
/// A decision a synced commit made about a device: approved or rejected by <paramref name="Commit"/>,
/// through pull request <paramref name="PullRequest"/> when the merge commit names one.
/// </summary>
public sealed record DeviceDecision(DeviceStatus Status, string Commit, int? PullRequest);

/// <summary>
/// A device whose issue is recorded and not yet marked closed. <paramref name="Decision"/> is null
/// while the device is still pending, and set once a synced commit approved or rejected it: the
/// issue then waits to be commented on and closed.
/// </summary>
public sealed record FiledIssue(PendingSighting Sighting, int IssueNumber, DeviceDecision? Decision);

/// <summary>
/// The durable outbox between the device registry and GitHub. The request path only writes
/// sightings; a background worker reads this port and talks to GitHub, so a slow or absent GitHub
/// never delays a boot. Every method is safe to call concurrently and again after a crash.
/// </summary>
/// <remarks>
/// Semantics the worker relies on (the store implements them):
/// <list type="bullet">
/// <item><see cref="ListUnfiledAsync"/>: devices whose status is pending and that have no issue number
/// recorded, oldest first sighting first (ties by MAC), at most <c>limit</c>. A device appears here
/// until <see cref="RecordIssueAsync"/> is called for it; nothing is ever dropped.</item>
/// <item><see cref="RecordIssueAsync"/>: sets (or replaces) the open issue that carries the device.
/// Replacing happens when a race with another replica is resolved in favour of an older issue. Several
/// devices may share one number (the digest issue). Unknown MACs are ignored.</item>
/// <item><see cref="ListOpenIssuesAsync"/>: every device with a recorded issue not yet marked closed,
/// including its current decision if a synced commit approved or rejected it.</item>
/// <item><see cref="MarkIssueClosedAsync"/>: the device's issue is closed on GitHub. Applies only when
/// the recorded number still equals <c>issueNumber</c> (a concurrent replacement wins). A closed
/// device is in neither list; if it later becomes pending again (its file removed from git), the
/// store clears the issue number so that it is filed anew.</item>
/// </list>
/// </remarks>
public interface IIssueOutbox
{
    Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken);

    Task RecordIssueAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken);

    Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken);

    Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken);
}
