using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ktizo.Testing.GitHub;

/// <summary>
/// Merging pull requests and the checks that gate it (approval rules with <c>action: merge</c>, docs/rules.md):
/// <c>GET …/commits/{ref}/status</c> (the combined commit status), <c>GET …/commits/{ref}/check-runs</c>, and
/// <c>PUT …/pulls/{n}/merge</c> with GitHub's answers: 200 merged, 405 not mergeable (closed or already merged),
/// 409 when the given sha is no longer the head, 404 for no such pull request. A test sets what the checks say with
/// <see cref="SetStatus"/> and <see cref="SetCheckRun"/>, as CI would.
/// </summary>
public sealed partial class GitHubStandIn
{
    private readonly Dictionary<string, Dictionary<string, (string State, DateTimeOffset At)>> _statuses = [];
    private readonly Dictionary<string, Dictionary<string, (string Status, string? Conclusion, long Id)>> _checkRuns = [];
    private readonly HashSet<int> _merged = [];

    /// <summary>Numbers of the pull requests merged through the API.</summary>
    public IReadOnlyCollection<int> MergedPullRequests
    {
        get
        {
            lock (_sync)
            {
                return [.. _merged];
            }
        }
    }

    /// <summary>The head commit of pull request <paramref name="number"/> (its branch's tip).</summary>
    public string HeadOf(int number)
    {
        lock (_sync)
        {
            return _branches[_issues.Single(i => i.Number == number && i.IsPullRequest).Head!];
        }
    }

    /// <summary>A commit status as CI posts it: <paramref name="state"/> is pending, success, failure or error.</summary>
    public void SetStatus(string sha, string context, string state)
    {
        lock (_sync)
        {
            if (!_statuses.TryGetValue(sha, out var byContext))
            {
                _statuses[sha] = byContext = [];
            }

            byContext[context] = (state, _clock.GetUtcNow());
        }
    }

    /// <summary>A check run as a GitHub App posts it: <paramref name="status"/> queued, in_progress or completed, then its conclusion.</summary>
    public void SetCheckRun(string sha, string name, string status, string? conclusion = null)
    {
        lock (_sync)
        {
            if (!_checkRuns.TryGetValue(sha, out var byName))
            {
                _checkRuns[sha] = byName = [];
            }

            byName[name] = (status, conclusion, byName.TryGetValue(name, out var old) ? old.Id : _nextId++);
        }
    }

    private Reply? DispatchMerges(string method, string rest, JsonObject? json, DateTimeOffset now)
    {
        Match r;
        return method switch
        {
            "GET" when (r = CommitStatusPath().Match(rest)).Success => CombinedStatus(Resolve(r.Groups["ref"].Value)),
            "GET" when (r = CheckRunsPath().Match(rest)).Success => CheckRuns(Resolve(r.Groups["ref"].Value)),
            "PUT" when (r = MergePath().Match(rest)).Success => Merge(int.Parse(r.Groups["number"].Value, CultureInfo.InvariantCulture), json, now),
            _ => null,
        };
    }

    private string? Resolve(string reference) =>
        _commits.ContainsKey(reference) ? reference : _branches.GetValueOrDefault(Uri.UnescapeDataString(reference));

    private Reply CombinedStatus(string? sha)
    {
        if (sha is null)
        {
            return Error(422, "No commit found for SHA", "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference");
        }

        var statuses = _statuses.GetValueOrDefault(sha) ?? [];
        var states = statuses.Values.Select(s => s.State).ToList();
        // GitHub: failure if any is failure or error, pending if none or any pending, else success.
        var state = states.Any(s => s is "failure" or "error") ? "failure" : states.Count == 0 || states.Contains("pending") ? "pending" : "success";
        var list = new JsonArray();
        foreach (var (context, (s, at)) in statuses.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            list.Add(new JsonObject
            {
                ["url"] = Api($"/statuses/{sha}"),
                ["id"] = Math.Abs(context.GetHashCode(StringComparison.Ordinal)),
                ["node_id"] = $"SC_{context}",
                ["state"] = s,
                ["description"] = $"{context}: {s}",
                ["target_url"] = null,
                ["context"] = context,
                ["created_at"] = Time(at),
                ["updated_at"] = Time(at),
                ["creator"] = UserJson(),
            });
        }

        return new Reply(200, new JsonObject
        {
            ["state"] = state,
            ["statuses"] = list,
            ["sha"] = sha,
            ["total_count"] = list.Count,
            ["repository"] = RepositoryJson(),
            ["commit_url"] = Api($"/commits/{sha}"),
            ["url"] = Api($"/commits/{sha}/status"),
        });
    }

    private Reply CheckRuns(string? sha)
    {
        if (sha is null)
        {
            return Error(422, "No commit found for SHA", "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference");
        }

        var runs = new JsonArray();
        foreach (var (name, (status, conclusion, id)) in (_checkRuns.GetValueOrDefault(sha) ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            runs.Add(new JsonObject
            {
                ["id"] = id,
                ["head_sha"] = sha,
                ["node_id"] = $"CR_{id}",
                ["external_id"] = "",
                ["url"] = Api($"/check-runs/{id}"),
                ["html_url"] = Html($"/runs/{id}"),
                ["details_url"] = Html($"/runs/{id}"),
                ["status"] = status,
                ["conclusion"] = conclusion,
                ["started_at"] = Time(_clock.GetUtcNow()),
                ["completed_at"] = status == "completed" ? Time(_clock.GetUtcNow()) : null,
                ["output"] = new JsonObject { ["title"] = name, ["summary"] = "", ["text"] = null, ["annotations_count"] = 0, ["annotations_url"] = Api($"/check-runs/{id}/annotations") },
                ["name"] = name,
                ["check_suite"] = new JsonObject { ["id"] = id },
                ["app"] = null,
                ["pull_requests"] = new JsonArray(),
            });
        }

        return new Reply(200, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = runs });
    }

    private Reply Merge(int number, JsonObject? json, DateTimeOffset now)
    {
        const string doc = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";
        var pr = _issues.SingleOrDefault(i => i.Number == number && i.IsPullRequest);
        if (pr is null)
        {
            return Error(404, "Not Found", doc);
        }

        if (pr.State != "open" || _merged.Contains(number))
        {
            return Error(405, "Pull Request is not mergeable", doc);
        }

        var head = _branches[pr.Head!];
        if (json?["sha"]?.GetValue<string>() is { } sha && sha != head)
        {
            return Error(409, "Head branch was modified. Review and try the merge again.", doc);
        }

        // The head was branched from the base: the merge holds the base's files with the head's on top.
        var baseSha = _branches[pr.Base!];
        var files = new Dictionary<string, string>(_commits[baseSha].Files);
        foreach (var (path, text) in _commits[head].Files)
        {
            files[path] = text;
        }

        var title = json?["commit_title"]?.GetValue<string>() ?? $"Merge pull request #{number} from {Owner}/{pr.Head}";
        var merge = AddCommit(baseSha, title, files);
        MoveBranch(pr.Base!, merge, now);
        _merged.Add(number);
        pr.State = "closed";
        pr.ClosedAt = now;
        pr.UpdatedAt = now;
        return new Reply(200, new JsonObject { ["sha"] = merge, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
    }

    [GeneratedRegex(@"^/commits/(?<ref>[^/]+)/status$")]
    private static partial Regex CommitStatusPath();

    [GeneratedRegex(@"^/commits/(?<ref>[^/]+)/check-runs$")]
    private static partial Regex CheckRunsPath();

    [GeneratedRegex(@"^/pulls/(?<number>\d{1,9})/merge$")]
    private static partial Regex MergePath();
}
