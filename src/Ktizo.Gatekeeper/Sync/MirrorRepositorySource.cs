using Ktizo.Core.Files;
using Ktizo.Git;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>The real source: Ktizo.Git's bare local clone under the data folder.</summary>
public sealed class MirrorRepositorySource(RepositoryMirror mirror) : IRepositorySource
{
    public string? LocalHead => mirror.LocalHead;

    public Task<string> FetchAsync(CancellationToken cancellationToken) => mirror.FetchAsync(cancellationToken);

    public IFileTree OpenTree(string commit) => mirror.OpenTree(commit);

    public IReadOnlyDictionary<string, Approval> FindApprovals(string commit, IReadOnlyCollection<string> paths) =>
        mirror.FindApprovals(commit, paths).ToDictionary(
            p => p.Key, p => new Approval(p.Value.Commit, p.Value.Time, p.Value.Author, p.Value.PullRequest), StringComparer.Ordinal);

    public void Dispose() => mirror.Dispose();
}
