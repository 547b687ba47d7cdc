using Ktizo.Core;
using Ktizo.Core.Registry;
using Ktizo.Hosting;

namespace Ktizo.GitHub;

/// <summary>
/// Pending devices on GitHub. <see cref="RunPassAsync"/> is what the background worker calls;
/// <see cref="ApplyDecisionsAsync"/> is what the gatekeeper's sync loop calls after it loaded a commit.
/// </summary>
public interface IPendingDeviceIssues
{
    bool Enabled { get; }

    /// <summary>
    /// One pass over the outbox: files unfiled sightings (single issues, or the digest above the
    /// threshold), closes later duplicates left by racing replicas, and comments on and closes the issues
    /// of devices the store reports as decided. Throws when GitHub fails; the next pass continues.
    /// </summary>
    Task<IssuePassResult> RunPassAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Commit <see cref="CommitDecisions.Commit"/> approved and rejected these MACs: comment naming the
    /// commit (and pull request) on each open issue and close it (approved: completed; rejected: not
    /// planned); tick digest lines. Safe to repeat. Issues are found through the outbox and by listing
    /// GitHub, so an issue another replica opened is closed too.
    /// </summary>
    Task<DecisionResult> ApplyDecisionsAsync(CommitDecisions decisions, CancellationToken cancellationToken);
}

/// <summary>What one synced commit decided. <see cref="PullRequest"/> is known when the merge commit names one.</summary>
public sealed record CommitDecisions(
    string Commit,
    int? PullRequest,
    IReadOnlyCollection<MacAddress> Approved,
    IReadOnlyCollection<MacAddress> Rejected);

/// <param name="Created">single issues opened</param>
/// <param name="Folded">MACs added to a digest issue</param>
/// <param name="Linked">MACs found already on GitHub (another replica, or a crash before recording)</param>
/// <param name="DuplicatesClosed">later duplicates closed</param>
/// <param name="Resolved">decided devices whose issue or digest line was closed</param>
/// <param name="MoreWork">the batch was full: run again without waiting</param>
public sealed record IssuePassResult(int Created, int Folded, int Linked, int DuplicatesClosed, int Resolved, bool MoreWork)
{
    /// <summary>Second claimants commented on (docs/device-auth.md).</summary>
    public int ClaimantsReported { get; init; }

    public static readonly IssuePassResult Idle = new(0, 0, 0, 0, 0, false);
}

/// <param name="IssuesClosed">single issues commented on and closed</param>
/// <param name="DigestLinesTicked">digest lines ticked</param>
public sealed record DecisionResult(int IssuesClosed, int DigestLinesTicked);

/// <summary>The feature switched off: nothing is sent, nothing fails.</summary>
public sealed class NullPendingDeviceIssues : IPendingDeviceIssues
{
    public bool Enabled => false;

    public Task<IssuePassResult> RunPassAsync(CancellationToken cancellationToken) => Task.FromResult(IssuePassResult.Idle);

    public Task<DecisionResult> ApplyDecisionsAsync(CommitDecisions decisions, CancellationToken cancellationToken) =>
        Task.FromResult(new DecisionResult(0, 0));
}

/// <summary>
/// Wakes the worker when a new sighting lands in the outbox, so its issue appears within seconds
/// rather than at the next poll. The gatekeeper calls <see cref="Notify"/>; harmless when the feature is off.
/// </summary>
public sealed class PendingIssueSignal : WakeSignal;
