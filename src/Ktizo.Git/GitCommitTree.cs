using Ktizo.Core;
using Ktizo.Core.Files;
using LibGit2Sharp;

namespace Ktizo.Git;

/// <summary>
/// One commit's tree as the core's <see cref="IFileTree"/>. It reads objects from the repository's
/// object database only, so uncommitted edits, the index and the checked-out branch never leak in.
/// Only regular files count: symbolic links and submodules are neither listed nor read, because their
/// "content" is a link target or a commit id, never a file of the repository.
/// </summary>
/// <remarks>
/// Each instance owns its own <see cref="Repository"/> handle and serialises calls on it: libgit2 handles
/// are not safe for concurrent use, and a private handle lets a tree be read while the mirror fetches.
/// </remarks>
public sealed class GitCommitTree : IFileTree, IDisposable
{
    private readonly Repository _repository;
    private readonly LibGit2Sharp.Commit _commit;
    private readonly Lock _gate = new();
    private TreeEntryIndex? _index;
    private bool _disposed;

    internal GitCommitTree(Repository repository, LibGit2Sharp.Commit commit)
    {
        _repository = repository;
        _commit = commit;
        Commit = commit.Sha;
        CommitTime = commit.Committer.When;
    }

    /// <summary>The full sha of the commit. Never null for a git tree; nullable only because <see cref="IFileTree"/> also describes folders.</summary>
    public string? Commit { get; }

    /// <summary>When the commit was made (committer time), e.g. to show how old the served configuration is.</summary>
    public DateTimeOffset CommitTime { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory) => List(directory, recursive: false);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFilesRecursive(string directory) => List(directory, recursive: true);

    /// <inheritdoc />
    public TreeFile? Read(string path)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (entry, normalized) = FindFile(path);
            if (entry is null)
            {
                return null;
            }

            var blob = (Blob)entry.Target;
            // Raw object bytes: no smudge filters or line-ending conversion, so the bytes (and their id) are the commit's.
            var content = new byte[blob.Size];
            using (var stream = blob.GetContentStream())
            {
                stream.ReadExactly(content);
            }

            return new TreeFile(normalized, blob.Sha, content);
        }
    }

    /// <inheritdoc />
    public string? FileId(string path)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (entry, _) = FindFile(path);
            // The tree entry carries the blob id: no blob is looked up or inflated.
            return entry?.Target.Sha;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _repository.Dispose();
        }
    }

    /// <summary>The regular file at <paramref name="path"/>, and the path normalised; a null entry when there is none.</summary>
    private (TreeEntry? Entry, string Path) FindFile(string path)
    {
        var normalized = GitPath.Normalize(path, allowRoot: false);
        if (normalized is null)
        {
            return (null, path);
        }

        // Not _commit.Tree[normalized]: that parses every directory on the path again on each call.
        var entry = Index.Find(normalized);
        return (entry is not null && IsRegularFile(entry) ? entry : null, normalized);
    }

    /// <remarks>
    /// Through the same entry index that <see cref="Read"/> and <see cref="FileId"/> use: a directory of
    /// 10,000 device files is enumerated from libgit2 once per tree, not once for the listing and again for the reads.
    /// </remarks>
    private IReadOnlyList<string> List(string directory, bool recursive)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var normalized = GitPath.Normalize(directory, allowRoot: true);
            if (normalized is null)
            {
                return [];
            }

            var files = new List<string>();
            Collect(Index, normalized, recursive, files);
            // Git orders a tree's entries by bytes with "dir/" sorting as if suffixed: not the ordinal order the contract promises.
            files.Sort(StringComparer.Ordinal);
            return files;
        }
    }

    private TreeEntryIndex Index => _index ??= new TreeEntryIndex(_commit.Tree);

    private static void Collect(TreeEntryIndex index, string directory, bool recursive, List<string> files)
    {
        var entries = index.Entries(directory);
        if (entries is null)
        {
            return;
        }

        foreach (var (name, entry) in entries)
        {
            var path = GitPath.Join(directory, name);
            if (entry.TargetType == TreeEntryTargetType.Tree)
            {
                if (recursive)
                {
                    Collect(index, path, recursive, files);
                }
            }
            else if (IsRegularFile(entry))
            {
                files.Add(path);
            }
        }
    }

    internal static bool IsRegularFile(TreeEntry entry) =>
        entry.TargetType == TreeEntryTargetType.Blob && entry.Mode != Mode.SymbolicLink;
}
