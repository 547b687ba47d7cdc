using Ktizo.Core.Files;
using Ktizo.Gatekeeper.Sync;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>A repository held in memory: commits are trees, the "remote" can be made unreachable.</summary>
public sealed class FakeRepositorySource : IRepositorySource
{
    private readonly Dictionary<string, IFileTree> _commits = [];
    private readonly Lock _lock = new();
    private string? _remoteHead;
    private int _fetches;

    public string? LocalHead { get; private set; }

    public bool Reachable { get; set; } = true;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>Adds a commit on the remote and makes it the head.</summary>
    public string Commit(IFileTree tree)
    {
        lock (_lock)
        {
            var sha = tree.Commit ?? throw new ArgumentException("give the tree a commit id");
            _commits[sha] = tree;
            _remoteHead = sha;
            return sha;
        }
    }

    public Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        lock (_lock)
        {
            if (!Reachable || _remoteHead is null)
            {
                return Task.FromException<string>(new Core.KtizoException("remote unreachable"));
            }

            LocalHead = _remoteHead;
            return Task.FromResult(_remoteHead);
        }
    }

    public IFileTree OpenTree(string commit)
    {
        lock (_lock)
        {
            return _commits.TryGetValue(commit, out var tree) ? tree : throw new Core.KtizoException($"no commit {commit}");
        }
    }

    /// <summary>When set, approval lookups wait for it: a history walk that takes its time.</summary>
    public ManualResetEventSlim? ApprovalsGate { get; set; }

    public IReadOnlyDictionary<string, Approval> FindApprovals(string commit, IReadOnlyCollection<string> paths)
    {
        ApprovalsGate?.Wait(TimeSpan.FromSeconds(30));
        return paths.ToDictionary(p => p, _ => new Approval(commit, DateTimeOffset.UnixEpoch, "Test Approver", 7));
    }

    public void Dispose()
    {
    }
}
