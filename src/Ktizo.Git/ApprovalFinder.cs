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
        var pending = new HashSet<string>(StringComparer.Ordinal);
        var index = new TreeEntryIndex(head.Tree);
        foreach (var path in paths)
        {
            var normalized = GitPath.Normalize(path, allowRoot: false);
            var entry = normalized is null ? null : index.Find(normalized);
            if (entry is not null && GitCommitTree.IsRegularFile(entry))
            {
                pending.Add(normalized!);
            }
        }

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
                    found[path] = cached[path];
                    pending.Remove(path);
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
                var root = Record(string.Empty, current);
                foreach (var path in pending)
                {
                    found[path] = root with { Path = path };
                }

                break;
            }

            walked++;
            // A tree diff skips unchanged subtrees by id, so each step costs what the commit changed, not the size of the repository.
            // One record per commit, copied per path: a commit that added thousands of files holds its sha and author once.
            ApprovalRecord? byCurrent = null;
            foreach (var change in repository.Diff.Compare<TreeChanges>(parent.Tree, current.Tree, TreeOnly).Added)
            {
                if (pending.Remove(change.Path))
                {
                    byCurrent ??= Record(string.Empty, current);
                    found[change.Path] = byCurrent with { Path = change.Path };
                }
            }

            current = parent;
        }

        Volatile.Write(ref _lastWalkLength, walked);
        Remember(head.Sha, found);
        return found;
    }

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
