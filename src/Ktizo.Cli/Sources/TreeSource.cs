using Ktizo.Core.Files;
using Ktizo.Git;

namespace Ktizo.Cli.Sources;

/// <summary>Where a command reads the repository from: a folder as it is, or a commit of a git repository.</summary>
public sealed class TreeSource : IDisposable
{
    private TreeSource(IFileTree tree) => Tree = tree;

    public IFileTree Tree { get; }

    /// <summary>With a revision, the committed tree (never uncommitted edits); without, the folder.</summary>
    public static TreeSource Open(string repository, string? revision) =>
        new(revision is null ? new FolderFileTree(repository) : GitTrees.Open(repository, revision));

    public void Dispose() => (Tree as IDisposable)?.Dispose();
}
