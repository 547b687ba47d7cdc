using Ktizo.Core.Files;
using Ktizo.Git;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>The real source: Ktizo.Git's bare local clone under the data folder.</summary>
public sealed class MirrorRepositorySource(RepositoryMirror mirror) : IRepositorySource
{
    public string? LocalHead => mirror.LocalHead;

    public Task<string> FetchAsync(CancellationToken cancellationToken) => mirror.FetchAsync(cancellationToken);

    public IFileTree OpenTree(string commit) => mirror.OpenTree(commit);

    /// <remarks>One <see cref="Approval"/> per approving commit, shared by its paths: most of 10,000 devices came in a few commits.</remarks>
    public IReadOnlyDictionary<string, Approval> FindApprovals(string commit, IReadOnlyCollection<string> paths)
    {
        var byCommit = new Dictionary<string, Approval>(StringComparer.Ordinal);
        return mirror.FindApprovals(commit, paths).ToDictionary(
            p => p.Key,
            p => byCommit.TryGetValue(p.Value.Commit, out var shared)
                ? shared
                : byCommit[p.Value.Commit] = new Approval(p.Value.Commit, p.Value.Time, p.Value.Author, p.Value.PullRequest),
            StringComparer.Ordinal);
    }

    public int? PullRequestOf(string commit) => mirror.PullRequestOf(commit);

    public void Dispose() => mirror.Dispose();
}
