using System.Globalization;
using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace Ktizo.Git;

/// <summary>
/// Finds, for many paths at once, the commit that added each one (see <see cref="RepositoryMirror.FindApprovals"/>).
/// </summary>
internal sealed partial class ApprovalFinder
{
    // A handful of recent heads: the gatekeeper asks from the newest head, and the previous one is where the walk can stop.
    private const int CachedCommits = 8;

    private static readonly LibGit2Sharp.CompareOptions TreeOnly = new()
    {
        // Without rename detection a moved file is an add at its new path, which is what approval means.
        Similarity = SimilarityOptions.None,
        ContextLines = 0,
    };

    private readonly Lock _gate = new();
    private int _lastWalkLength;
    private readonly LinkedList<(string Commit, IReadOnlyDictionary<string, ApprovalRecord> Records)> _cache = new();

    /// <summary>Commits whose trees the last <see cref="Find"/> diffed: what tests check to prove one walk serves all paths.</summary>
    internal int LastWalkLength => Volatile.Read(ref _lastWalkLength);

    public IReadOnlyDictionary<string, ApprovalRecord> Find(Repository repository, Commit head, IReadOnlyCollection<string> paths)
    {
        var pending = FilesPresent(head, paths);
        // Paths grouped by folder: each step diffs only the folders still holding pending paths, and skips a folder
        // whose tree id did not change. The cost is loading a changed folder's two trees (about 3 ms each for a
        // 10,000-entry folder: libgit2 caches no tree over 4 KB), once per commit that touched it, whatever the number of paths.
        var folders = pending.GroupBy(Folder, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var found = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        var current = head;
        var walked = 0;
        while (pending.Count > 0)
        {
            // Every pending path existed without a break from here up to head, so an answer cached for this commit holds for head too.
            var cached = Cached(current.Sha);
            if (cached is not null)
            {
                foreach (var path in pending.Where(cached.ContainsKey).ToList())
                {
                    Resolve(path, cached[path]);
                }

                if (pending.Count == 0)
                {
                    break;
                }
            }

            var parent = current.Parents.FirstOrDefault();
            if (parent is null)
            {
                // The root commit: whatever is still pending was there from the start.
                foreach (var path in pending.ToList())
                {
                    Resolve(path, Record(path, current));
                }

                break;
            }

            walked++;
            foreach (var (folder, waiting) in folders.ToList())
            {
                var now = FolderTree(current, folder)!;
                var before = FolderTree(parent, folder);
                if (before is null)
                {
                    // The folder itself is new here, so is everything in it.
                    foreach (var path in waiting.ToList())
                    {
                        Resolve(path, Record(path, current));
                    }
                }
                else if (before.Id != now.Id)
                {
                    foreach (var change in repository.Diff.Compare<TreeChanges>(before, now, TreeOnly).Added)
                    {
                        var path = GitPath.Join(folder, change.Path);
                        if (waiting.Contains(path))
                        {
                            Resolve(path, Record(path, current));
                        }
                    }
                }
            }

            current = parent;
        }

        void Resolve(string path, ApprovalRecord record)
        {
            found[path] = record;
            pending.Remove(path);
            var folder = Folder(path);
            var waiting = folders[folder];
            waiting.Remove(path);
            if (waiting.Count == 0)
            {
                folders.Remove(folder);
            }
        }

        Volatile.Write(ref _lastWalkLength, walked);
        Remember(head.Sha, found);
        return found;
    }

    /// <summary>
    /// The asked paths that are regular files in <paramref name="commit"/>. Reads each folder once: a lookup per path
    /// would re-parse a large folder's tree every time (libgit2 does not cache trees over 4 KB).
    /// </summary>
    private static HashSet<string> FilesPresent(Commit commit, IReadOnlyCollection<string> paths)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        var folders = new Dictionary<string, Dictionary<string, TreeEntry>?>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var normalized = GitPath.Normalize(path, allowRoot: false);
            if (normalized is null)
            {
                continue;
            }

            var slash = normalized.LastIndexOf('/');
            var folder = slash < 0 ? "" : normalized[..slash];
            if (!folders.TryGetValue(folder, out var entries))
            {
                var tree = folder.Length == 0 ? commit.Tree : commit.Tree[folder]?.Target as Tree;
                entries = tree is null ? null : GitCommitTree.IndexEntries(tree);
                folders[folder] = entries;
            }

            if (entries is not null && entries.TryGetValue(normalized[(slash + 1)..], out var entry) && GitCommitTree.IsRegularFile(entry))
            {
                present.Add(normalized);
            }
        }

        return present;
    }

    private static string Folder(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>The tree of <paramref name="folder"/> in a commit, or null when it is missing or not a folder there.</summary>
    private static Tree? FolderTree(Commit commit, string folder) =>
        folder.Length == 0 ? commit.Tree : commit.Tree[folder]?.Target as Tree;

    internal static int? PullRequestNumber(string message)
    {
        var subject = message.AsSpan();
        var newline = subject.IndexOf('\n');
        var firstLine = (newline < 0 ? subject : subject[..newline]).Trim().ToString();
        var match = MergeSubject().Match(firstLine);
        if (!match.Success)
        {
            match = SquashSubject().Match(firstLine);
        }

        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private static ApprovalRecord Record(string path, Commit commit) =>
        new(path, commit.Sha, commit.Committer.When, commit.Author.Name, PullRequestNumber(commit.Message));

    private IReadOnlyDictionary<string, ApprovalRecord>? Cached(string commit)
    {
        lock (_gate)
        {
            return _cache.FirstOrDefault(e => e.Commit == commit).Records;
        }
    }

    private void Remember(string commit, IReadOnlyDictionary<string, ApprovalRecord> records)
    {
        lock (_gate)
        {
            // Another call may have asked about other paths of the same commit: keep the union so neither walks again.
            var merged = new Dictionary<string, ApprovalRecord>(records, StringComparer.Ordinal);
            var node = _cache.First;
            while (node is not null && node.Value.Commit != commit)
            {
                node = node.Next;
            }

            if (node is not null)
            {
                foreach (var (path, record) in node.Value.Records)
                {
                    merged.TryAdd(path, record);
                }

                _cache.Remove(node);
            }

            _cache.AddFirst((commit, merged));
            while (_cache.Count > CachedCommits)
            {
                _cache.RemoveLast();
            }
        }
    }

    // GitHub's merge commit subject: "Merge pull request #12 from owner/branch".
    [GeneratedRegex(@"^Merge pull request #(\d+)\b")]
    private static partial Regex MergeSubject();

    // GitHub's squash (and GitLab-style) subject ends with the number: "Add node-01 (#12)".
    [GeneratedRegex(@"\(#(\d+)\)$")]
    private static partial Regex SquashSubject();
}
