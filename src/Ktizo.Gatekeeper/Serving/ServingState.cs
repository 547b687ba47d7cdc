using Ktizo.Gatekeeper.Sync;

namespace Ktizo.Gatekeeper.Serving;

/// <summary>
/// What the gatekeeper serves right now. Each part is one immutable object behind one reference:
/// the sync loop replaces it whole, a request reads it once, so a request sees either the old
/// commit or the new one and never a mix, without a lock.
/// </summary>
public sealed class ServingState
{
    private ServingSnapshot? _snapshot;
    private ApprovalIndex _approvals = ApprovalIndex.Empty;
    private SyncStatus _status = SyncStatus.Initial;

    /// <summary>The set being served, or null until the first good render.</summary>
    public ServingSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Who approved each device file of the served commit (filled in after the swap: history walks take time).</summary>
    public ApprovalIndex Approvals => Volatile.Read(ref _approvals);

    public SyncStatus Status => Volatile.Read(ref _status);

    internal void Swap(ServingSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    internal void SetApprovals(ApprovalIndex approvals) => Volatile.Write(ref _approvals, approvals);

    /// <summary>Only the sync loop writes the status, so read-modify-write needs no lock.</summary>
    internal void SetStatus(SyncStatus status) => Volatile.Write(ref _status, status);
}

/// <summary>Approvals of one commit's device files, by repository path.</summary>
public sealed record ApprovalIndex(string? Commit, IReadOnlyDictionary<string, Approval> ByPath)
{
    public static readonly ApprovalIndex Empty = new(null, new Dictionary<string, Approval>());
}
