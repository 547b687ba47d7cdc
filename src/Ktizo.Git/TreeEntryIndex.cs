using LibGit2Sharp;

namespace Ktizo.Git;

/// <summary>
/// Finds entries of one commit's tree by path, enumerating each directory once.
/// </summary>
/// <remarks>
/// LibGit2Sharp's <c>tree[path]</c> looks every tree on the path up in the object database again on
/// each call, and libgit2 keeps no tree over 4 KB in its object cache: with 10,000 device files in
/// <c>inventory/devices</c> (a tree of ~400 KB) every file read inflated and parsed that tree again,
/// so reading a commit was quadratic (about a minute for 10,000 devices; docs/benchmarks.md).
/// Not thread-safe: callers hold their own lock or use one per call.
/// </remarks>
internal sealed class TreeEntryIndex(Tree root)
{
    private readonly Dictionary<string, Dictionary<string, TreeEntry>?> _directories = new(StringComparer.Ordinal);

    /// <param name="normalizedPath">A path as <see cref="GitPath.Normalize"/> returns it: no leading, trailing or double slash.</param>
    public TreeEntry? Find(string normalizedPath)
    {
        var slash = normalizedPath.LastIndexOf('/');
        var entries = Directory(slash < 0 ? string.Empty : normalizedPath[..slash]);
        return entries is not null && entries.TryGetValue(normalizedPath[(slash + 1)..], out var entry) ? entry : null;
    }

    /// <summary>The entries directly under a directory (normalised, "" for the root), by name; null when it is not a directory.</summary>
    public IReadOnlyDictionary<string, TreeEntry>? Entries(string normalizedDirectory) => Directory(normalizedDirectory);

    private Dictionary<string, TreeEntry>? Directory(string path)
    {
        if (_directories.TryGetValue(path, out var entries))
        {
            return entries;
        }

        Tree? tree;
        if (path.Length == 0)
        {
            tree = root;
        }
        else
        {
            var slash = path.LastIndexOf('/');
            var parent = Directory(slash < 0 ? string.Empty : path[..slash]);
            tree = parent is not null && parent.TryGetValue(path[(slash + 1)..], out var entry) && entry.TargetType == TreeEntryTargetType.Tree
                ? (Tree)entry.Target
                : null;
        }

        if (tree is not null)
        {
            entries = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
            foreach (var entry in tree)
            {
                entries[entry.Name] = entry;
            }
        }

        _directories[path] = entries;
        return entries;
    }
}
