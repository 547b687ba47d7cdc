using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Testing.GitHub;

/// <summary>An issue or pull request as a person would see it on GitHub.</summary>
public sealed record StandInIssue(
    int Number,
    string Title,
    string? Body,
    string State,
    string? StateReason,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Comments,
    bool IsPullRequest,
    string? Head,
    string? Base,
    int? Milestone = null);

/// <summary>
/// The repository behind the stand-in: issues, pull requests, labels, comments, and a tiny git
/// (commits as full file snapshots, branches as names pointing at them).
/// </summary>
public sealed partial class GitHubStandIn
{
    private readonly List<IssueRecord> _issues = [];
    private readonly List<CommentRecord> _comments = [];
    private readonly Dictionary<string, (string Color, string? Description, long Id)> _labels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CommitRecord> _commits = [];
    private readonly Dictionary<string, string> _branches = [];
    private readonly Dictionary<int, string> _milestones = [];
    private readonly Dictionary<string, (DateTimeOffset At, string? Before)> _branchWrites = [];
    private long _nextId = 1000;

    public string DefaultBranch { get; private set; } = "main";

    /// <summary>
    /// How long GitHub's reads lag its writes (zero: never). For this long on the stand-in's clock after a
    /// branch is created or moved, reading its ref or contents by branch name sees it as before: a new
    /// branch answers 404, a moved one its previous commit. Reads by commit SHA are never stale.
    /// </summary>
    public TimeSpan ReadLag { get; set; }

    public IReadOnlyList<StandInIssue> Issues
    {
        get
        {
            lock (_sync)
            {
                return _issues.Select(View).ToList();
            }
        }
    }

    public IReadOnlyDictionary<string, string> Branches
    {
        get
        {
            lock (_sync)
            {
                return new Dictionary<string, string>(_branches);
            }
        }
    }

    public IReadOnlyCollection<string> LabelNames
    {
        get
        {
            lock (_sync)
            {
                return [.. _labels.Keys];
            }
        }
    }

    /// <summary>The file at <paramref name="path"/> on <paramref name="branch"/>, or null.</summary>
    public string? FileAt(string branch, string path)
    {
        lock (_sync)
        {
            return _branches.TryGetValue(branch, out var sha) && _commits[sha].Files.TryGetValue(path, out var text) ? text : null;
        }
    }

    public (string Message, string? Parent) CommitOf(string sha)
    {
        lock (_sync)
        {
            var c = _commits[sha];
            return (c.Message, c.Parent);
        }
    }

    /// <summary>Opens an issue as a person (or another replica) would, bypassing limits and the log.</summary>
    public int AddIssue(string title, string? body, params string[] labels)
    {
        lock (_sync)
        {
            return CreateIssue(title, body, labels, _clock.GetUtcNow()).Number;
        }
    }

    /// <summary>Creates a milestone as a person would; returns its number.</summary>
    public int AddMilestone(string title)
    {
        lock (_sync)
        {
            var number = _milestones.Count + 1;
            _milestones[number] = title;
            return number;
        }
    }

    /// <summary>Puts an issue in a milestone (or none) as a person would, bypassing limits and the log.</summary>
    public void SetMilestone(int issue, int? milestone)
    {
        lock (_sync)
        {
            _issues.Single(i => i.Number == issue).Milestone = milestone;
        }
    }

    /// <summary>Closes an issue as a person (or another replica) would, bypassing limits and the log.</summary>
    public void CloseIssue(int number, string reason = "completed")
    {
        lock (_sync)
        {
            var issue = _issues.Single(i => i.Number == number);
            var now = _clock.GetUtcNow();
            issue.State = "closed";
            issue.StateReason = reason;
            issue.ClosedAt = now;
            issue.UpdatedAt = now;
        }
    }

    private void SeedRepository()
    {
        var files = new Dictionary<string, string>
        {
            ["README.md"] = "# cluster\n",
            ["inventory/cluster.yaml"] = "name: lab\nendpoint: https://10.0.5.10:6443\ntalosVersion: v1.12.0\n",
        };
        var sha = AddCommit(null, "Initial inventory", files);
        _branches[DefaultBranch] = sha;
    }

    private string AddCommit(string? parent, string message, Dictionary<string, string> files)
    {
        var sha = Hex(SHA1.HashData(Encoding.UTF8.GetBytes($"commit {parent} {message} {_nextId++}")));
        _commits[sha] = new CommitRecord(sha, parent, message, files, _clock.GetUtcNow());
        return sha;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Git's blob id: sha1("blob {length}\0{content}").</summary>
    private static string BlobSha(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var header = Encoding.ASCII.GetBytes($"blob {bytes.Length}\0");
        return Hex(SHA1.HashData([.. header, .. bytes]));
    }

    private Reply Dispatch(string method, string path, IQueryCollection query, string? body, DateTimeOffset now)
    {
        var m = RepoPath().Match(path);
        if (!m.Success || m.Groups["owner"].Value != Owner || m.Groups["name"].Value != Name)
        {
            return NotFound();
        }

        var rest = m.Groups["rest"].Value;
        JsonObject? json = null;
        if (!string.IsNullOrEmpty(body))
        {
            try
            {
                json = JsonNode.Parse(body) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return Error(400, "Problems parsing JSON", DocumentationUrl);
            }
        }

        Match r;
        switch (method)
        {
            case "GET" when rest.Length == 0:
                return new Reply(200, RepositoryJson());
            case "GET" when rest == "/issues":
                return ListIssues(query);
            case "POST" when rest == "/issues":
                return PostIssue(json, now);
            case "GET" when (r = IssuePath().Match(rest)).Success:
                return FindIssue(r) is { } got ? new Reply(200, IssueJson(got)) : NotFound();
            case "PATCH" when (r = IssuePath().Match(rest)).Success:
                return PatchIssue(FindIssue(r), json, now);
            case "GET" when (r = IssueCommentsPath().Match(rest)).Success:
                return FindIssue(r) is { } commented ? ListComments(commented, query) : NotFound();
            case "POST" when (r = IssueCommentsPath().Match(rest)).Success:
                return PostComment(FindIssue(r), json, now);
            case "PATCH" when (r = CommentPath().Match(rest)).Success:
                return PatchComment(long.Parse(r.Groups["id"].Value, CultureInfo.InvariantCulture), json, now);
            case "GET" when (r = LabelPath().Match(rest)).Success:
                var label = Uri.UnescapeDataString(r.Groups["label"].Value);
                return _labels.ContainsKey(label) ? new Reply(200, LabelJson(label)) : NotFound();
            case "POST" when rest == "/labels":
                return PostLabel(json);
            case "GET" when (r = RefPath().Match(rest)).Success:
                return VisibleHead(r.Groups["branch"].Value, now) is { } refSha ? new Reply(200, RefJson(r.Groups["branch"].Value, refSha)) : NotFound();
            case "DELETE" when (r = RefPath().Match(rest)).Success:
                return DeleteRef(r.Groups["branch"].Value);
            case "POST" when rest == "/git/refs":
                return PostRef(json, now);
            case "GET" when (r = ContentsPath().Match(rest)).Success:
                return GetContents(Uri.UnescapeDataString(r.Groups["path"].Value), query["ref"].ToString(), now);
            case "PUT" when (r = ContentsPath().Match(rest)).Success:
                return PutContents(Uri.UnescapeDataString(r.Groups["path"].Value), json, now);
            case "POST" when rest == "/pulls":
                return PostPull(json, now);
            case "GET" when rest == "/pulls":
                return ListPulls(query);
            default:
                return DispatchMerges(method, rest, json, now) ?? NotFound();
        }
    }

    private static Reply NotFound() => Error(404, "Not Found", DocumentationUrl);

    /// <summary>The largest issue, pull-request or comment body GitHub takes, in characters (code points).</summary>
    public const int MaxBodyCharacters = 65536;

    /// <summary>GitHub's 422 for a body over <see cref="MaxBodyCharacters"/>; null when it fits.</summary>
    private static Reply? BodyTooLong(string? body, string resource, string documentation) =>
        body is not null && body.EnumerateRunes().Count() > MaxBodyCharacters
            ? ValidationFailed(resource, "custom", "body", documentation, $"body is too long (maximum is {MaxBodyCharacters} characters)")
            : null;

    private IssueRecord? FindIssue(Match m) =>
        _issues.FirstOrDefault(i => i.Number == int.Parse(m.Groups["number"].Value, CultureInfo.InvariantCulture));

    private Reply ListIssues(IQueryCollection query)
    {
        const string doc = "https://docs.github.com/rest/issues/issues#list-repository-issues";
        var state = query["state"].ToString() is { Length: > 0 } s ? s : "open";
        if (state is not ("open" or "closed" or "all"))
        {
            return ValidationFailed("Issue", "invalid", "state", doc);
        }

        DateTimeOffset? since = null;
        if (query.ContainsKey("since"))
        {
            if (!DateTimeOffset.TryParseExact(query["since"].ToString(), SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return ValidationFailed("Issue", "invalid", "since", doc);
            }

            since = parsed;
        }

        var labels = query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var matching = _issues
            .Where(i => state == "all" || i.State == state)
            .Where(i => labels.All(l => i.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
            // GitHub keeps updated_at in whole seconds and includes an issue updated at exactly `since`.
            .Where(i => since is null || WholeSeconds(i.UpdatedAt) >= since)
            .OrderByDescending(i => i.Number)
            .ToList();
        return Page(matching, IssueJson, query, "/issues");
    }

    // state and head ("owner:branch") as GitHub filters them; a pull request whose head branch was deleted is closed on GitHub.
    private Reply ListPulls(IQueryCollection query)
    {
        var state = query["state"].ToString() is { Length: > 0 } s ? s : "open";
        var head = query["head"].ToString();
        var matching = _issues
            .Where(i => i.IsPullRequest && i.Head is { } branch && _branches.ContainsKey(branch))
            .Where(i => state == "all" || i.State == state)
            .Where(i => head.Length == 0 || head == $"{Owner}:{i.Head}")
            .OrderByDescending(i => i.Number)
            .ToList();
        return Page(matching, PullJson, query, "/pulls");
    }

    // ISO 8601 as GitHub documents it (YYYY-MM-DDTHH:MM:SSZ), with the fractions and offsets it also takes.
    private static readonly string[] SinceFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    // Only the requested page is turned into JSON: a listing of 2,000 issues in pages of 100 was quadratic in the
    // stand-in and took more CPU than the gatekeeper it stands beside in the boot-storm benchmark.
    private Reply Page<T>(List<T> items, Func<T, JsonObject> toJson, IQueryCollection query, string rest)
    {
        var perPage = int.TryParse(query["per_page"], CultureInfo.InvariantCulture, out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(query["page"], CultureInfo.InvariantCulture, out var p) ? Math.Max(p, 1) : 1;
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var reply = new Reply(200, new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage).Select(toJson)]));
        var links = new List<string>();
        string Link(int n, string rel)
        {
            var parameters = query.Where(q => q.Key is not "page" and not "per_page")
                .Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"per_page={perPage}")
                .Append($"page={n}");
            return $"<{BaseUri}repos/{Owner}/{Name}{rest}?{string.Join('&', parameters)}>; rel=\"{rel}\"";
        }

        if (page > 1)
        {
            links.Add(Link(page - 1, "prev"));
            links.Add(Link(1, "first"));
        }

        if (page < last)
        {
            links.Add(Link(page + 1, "next"));
            links.Add(Link(last, "last"));
        }

        if (links.Count > 0)
        {
            reply.Headers["Link"] = string.Join(", ", links);
        }

        return reply;
    }

    private Reply PostIssue(JsonObject? json, DateTimeOffset now)
    {
        var title = json?["title"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(title))
        {
            return ValidationFailed("Issue", "missing_field", "title", "https://docs.github.com/rest/issues/issues#create-an-issue");
        }

        if (BodyTooLong(json!["body"]?.GetValue<string>(), "Issue", "https://docs.github.com/rest/issues/issues#create-an-issue") is { } tooLong)
        {
            return tooLong;
        }

        var labels = json["labels"] is JsonArray a ? a.Select(l => l!.GetValue<string>()).ToArray() : [];
        var issue = CreateIssue(title, json["body"]?.GetValue<string>(), labels, now);
        var reply = new Reply(201, IssueJson(issue));
        reply.Headers["Location"] = $"{BaseUri}repos/{Owner}/{Name}/issues/{issue.Number}";
        return reply;
    }

    private IssueRecord CreateIssue(string title, string? body, IEnumerable<string> labels, DateTimeOffset now)
    {
        var names = new List<string>();
        foreach (var label in labels)
        {
            // GitHub creates a label it does not know yet when an issue names it.
            if (!_labels.ContainsKey(label))
            {
                _labels[label] = ("ededed", null, _nextId++);
            }

            names.Add(_labels.Keys.First(k => k.Equals(label, StringComparison.OrdinalIgnoreCase)));
        }

        var issue = new IssueRecord(_issues.Count + 1, _nextId++, now) { Title = title, Body = body, Labels = names, UpdatedAt = now };
        _issues.Add(issue);
        return issue;
    }

    private Reply PatchIssue(IssueRecord? issue, JsonObject? json, DateTimeOffset now)
    {
        if (issue is null)
        {
            return NotFound();
        }

        if (json is null)
        {
            return Error(400, "Problems parsing JSON", DocumentationUrl);
        }

        // Validated before anything changes: GitHub applies a PATCH whole or not at all.
        const string doc = "https://docs.github.com/rest/issues/issues#update-an-issue";
        var state = json["state"] is JsonValue st ? st.GetValue<string>() : null;
        if (state is not (null or "open" or "closed"))
        {
            return ValidationFailed("Issue", "invalid", "state", doc);
        }

        var reason = json["state_reason"] is JsonValue r ? r.GetValue<string>() : null;
        if (reason is not (null or "completed" or "not_planned" or "reopened" or "duplicate"))
        {
            return ValidationFailed("Issue", "invalid", "state_reason", doc);
        }

        if (json["body"] is JsonValue longBody && BodyTooLong(longBody.GetValue<string>(), "Issue", doc) is { } tooLong)
        {
            return tooLong;
        }

        // GitHub applies what the PATCH names, "milestone": null included (it clears the milestone).
        int? milestone = null;
        if (json["milestone"] is JsonValue mv)
        {
            milestone = mv.TryGetValue<int>(out var n) ? n : -1;
            if (!_milestones.ContainsKey(milestone.Value))
            {
                return ValidationFailed("Issue", "invalid", "milestone", doc);
            }
        }

        if (json.ContainsKey("milestone"))
        {
            issue.Milestone = milestone;
        }

        if (json["title"] is JsonValue t)
        {
            issue.Title = t.GetValue<string>();
        }

        if (json.ContainsKey("body") && json["body"] is var b)
        {
            issue.Body = b?.GetValue<string>();
        }

        if (state is not null && state != issue.State)
        {
            issue.State = state;
            issue.ClosedAt = state == "closed" ? now : null;
            issue.StateReason = state == "closed" ? "completed" : "reopened";
        }

        if (reason is not null)
        {
            issue.StateReason = reason;
        }

        if (json["labels"] is JsonArray labels)
        {
            issue.Labels = labels.Select(l => l!.GetValue<string>()).ToList();
        }

        issue.UpdatedAt = now;
        return new Reply(200, IssueJson(issue));
    }

    private Reply ListComments(IssueRecord issue, IQueryCollection query) =>
        Page(_comments.Where(c => c.Issue == issue.Number).OrderBy(c => c.Id).ToList(), CommentJson, query, $"/issues/{issue.Number}/comments");

    private Reply PostComment(IssueRecord? issue, JsonObject? json, DateTimeOffset now)
    {
        if (issue is null)
        {
            return NotFound();
        }

        var body = json?["body"]?.GetValue<string>();
        if (string.IsNullOrEmpty(body))
        {
            return ValidationFailed("IssueComment", "missing_field", "body", "https://docs.github.com/rest/issues/comments#create-an-issue-comment");
        }

        if (BodyTooLong(body, "IssueComment", "https://docs.github.com/rest/issues/comments#create-an-issue-comment") is { } tooLong)
        {
            return tooLong;
        }

        var comment = new CommentRecord(_nextId++, issue.Number, now) { Body = body, UpdatedAt = now };
        _comments.Add(comment);
        issue.UpdatedAt = now;
        return new Reply(201, CommentJson(comment));
    }

    private Reply PatchComment(long id, JsonObject? json, DateTimeOffset now)
    {
        var comment = _comments.FirstOrDefault(c => c.Id == id);
        if (comment is null)
        {
            return NotFound();
        }

        var body = json?["body"]?.GetValue<string>();
        if (string.IsNullOrEmpty(body))
        {
            return ValidationFailed("IssueComment", "missing_field", "body", "https://docs.github.com/rest/issues/comments#update-an-issue-comment");
        }

        if (BodyTooLong(body, "IssueComment", "https://docs.github.com/rest/issues/comments#update-an-issue-comment") is { } tooLong)
        {
            return tooLong;
        }

        comment.Body = body;
        comment.UpdatedAt = now;
        _issues.Single(i => i.Number == comment.Issue).UpdatedAt = now;
        return new Reply(200, CommentJson(comment));
    }

    private Reply PostLabel(JsonObject? json)
    {
        var name = json?["name"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            return ValidationFailed("Label", "missing_field", "name", "https://docs.github.com/rest/issues/labels#create-a-label");
        }

        if (_labels.ContainsKey(name))
        {
            return ValidationFailed("Label", "already_exists", "name", "https://docs.github.com/rest/issues/labels#create-a-label");
        }

        _labels[name] = (json!["color"]?.GetValue<string>() ?? "ededed", json["description"]?.GetValue<string>(), _nextId++);
        return new Reply(201, LabelJson(name));
    }

    /// <summary>The commit a read of <paramref name="branch"/> sees now, <see cref="ReadLag"/> included; null: not found.</summary>
    private string? VisibleHead(string branch, DateTimeOffset now)
    {
        if (_branchWrites.TryGetValue(branch, out var write) && now - write.At < ReadLag)
        {
            return write.Before;
        }

        return _branches.GetValueOrDefault(branch);
    }

    private void MoveBranch(string branch, string sha, DateTimeOffset now)
    {
        _branchWrites[branch] = (now, _branches.GetValueOrDefault(branch));
        _branches[branch] = sha;
    }

    private Reply DeleteRef(string branch)
    {
        if (!_branches.Remove(branch))
        {
            return Error(422, "Reference does not exist", "https://docs.github.com/rest/git/refs#delete-a-reference");
        }

        _branchWrites.Remove(branch);
        return new Reply(204, null);
    }

    private Reply PostRef(JsonObject? json, DateTimeOffset now)
    {
        var name = json?["ref"]?.GetValue<string>();
        var sha = json?["sha"]?.GetValue<string>();
        const string doc = "https://docs.github.com/rest/git/refs#create-a-reference";
        if (name is null || sha is null)
        {
            return ValidationFailed("Reference", "missing_field", name is null ? "ref" : "sha", doc);
        }

        if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.Count(c => c == '/') < 2)
        {
            return Error(422, "Reference name must start with 'refs/' and have at least two slashes.", doc);
        }

        if (!_commits.ContainsKey(sha))
        {
            return Error(422, "Object does not exist", doc);
        }

        var branch = name["refs/heads/".Length..];
        if (_branches.ContainsKey(branch))
        {
            return Error(422, "Reference already exists", doc);
        }

        MoveBranch(branch, sha, now);
        return new Reply(201, RefJson(branch, sha));
    }

    private Reply GetContents(string path, string? reference, DateTimeOffset now)
    {
        var branch = string.IsNullOrEmpty(reference) ? DefaultBranch : reference;
        var sha = _commits.ContainsKey(branch) ? branch : VisibleHead(branch, now);
        if (sha is null)
        {
            return Error(404, $"No commit found for the ref {branch}", "https://docs.github.com/rest/repos/contents#get-repository-content");
        }

        return _commits[sha].Files.TryGetValue(path, out var text)
            ? new Reply(200, ContentJson(path, text, withContent: true))
            : NotFound();
    }

    private Reply PutContents(string path, JsonObject? json, DateTimeOffset now)
    {
        const string doc = "https://docs.github.com/rest/repos/contents#create-or-update-file-contents";
        var message = json?["message"]?.GetValue<string>();
        var content = json?["content"]?.GetValue<string>();
        if (message is null || content is null)
        {
            return ValidationFailed("Commit", "missing_field", message is null ? "message" : "content", doc);
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(content));
        }
        catch (FormatException)
        {
            return Error(422, "content is not valid Base64", doc);
        }

        var branch = json!["branch"]?.GetValue<string>() ?? DefaultBranch;
        if (!_branches.TryGetValue(branch, out var head))
        {
            return Error(404, $"Branch {branch} not found", doc);
        }

        var files = new Dictionary<string, string>(_commits[head].Files);
        var given = json["sha"]?.GetValue<string>();
        if (files.TryGetValue(path, out var existing))
        {
            if (given is null)
            {
                return Error(422, "Invalid request.\n\n\"sha\" wasn't supplied.", doc);
            }

            if (given != BlobSha(existing))
            {
                return Error(409, $"{path} does not match {given}", doc);
            }
        }

        files[path] = text;
        var sha = AddCommit(head, message, files);
        MoveBranch(branch, sha, now);
        return new Reply(existing is null ? 201 : 200, new JsonObject
        {
            ["content"] = ContentJson(path, text, withContent: false),
            ["commit"] = CommitJson(_commits[sha]),
        });
    }

    private Reply PostPull(JsonObject? json, DateTimeOffset now)
    {
        const string doc = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
        var title = json?["title"]?.GetValue<string>();
        var head = json?["head"]?.GetValue<string>();
        var @base = json?["base"]?.GetValue<string>();
        if (title is null || head is null || @base is null)
        {
            return ValidationFailed("PullRequest", "missing_field", title is null ? "title" : head is null ? "head" : "base", doc);
        }

        if (!_branches.TryGetValue(head, out var headSha))
        {
            return ValidationFailed("PullRequest", "invalid", "head", doc);
        }

        if (!_branches.TryGetValue(@base, out var baseSha))
        {
            return ValidationFailed("PullRequest", "invalid", "base", doc);
        }

        if (headSha == baseSha)
        {
            return ValidationFailed("PullRequest", "custom", null, doc, $"No commits between {@base} and {head}");
        }

        if (_issues.Any(i => i.IsPullRequest && i.State == "open" && i.Head == head && i.Base == @base))
        {
            return ValidationFailed("PullRequest", "custom", null, doc, $"A pull request already exists for {Owner}:{head}.");
        }

        if (BodyTooLong(json!["body"]?.GetValue<string>(), "PullRequest", doc) is { } tooLong)
        {
            return tooLong;
        }

        var pr = CreateIssue(title, json["body"]?.GetValue<string>(), [], now);
        pr.IsPullRequest = true;
        pr.Head = head;
        pr.Base = @base;
        var reply = new Reply(201, PullJson(pr));
        reply.Headers["Location"] = $"{BaseUri}repos/{Owner}/{Name}/pulls/{pr.Number}";
        return reply;
    }

    private StandInIssue View(IssueRecord i) =>
        new(i.Number, i.Title, i.Body, i.State, i.StateReason, [.. i.Labels], [.. _comments.Where(c => c.Issue == i.Number).OrderBy(c => c.Id).Select(c => c.Body)], i.IsPullRequest, i.Head, i.Base, i.Milestone);

    private string Api(string rest) => $"{BaseUri}repos/{Owner}/{Name}{rest}";

    private string Html(string rest) => $"https://github.com/{Owner}/{Name}{rest}";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? t) => t is { } v ? Time(v) : null;

    private JsonObject UserJson() => new()
    {
        ["login"] = "ktizo-bot",
        ["id"] = 1,
        ["node_id"] = "MDQ6VXNlcjE=",
        ["avatar_url"] = "https://avatars.githubusercontent.com/u/1?v=4",
        ["gravatar_id"] = string.Empty,
        ["url"] = $"{BaseUri}users/ktizo-bot",
        ["html_url"] = "https://github.com/ktizo-bot",
        ["type"] = "User",
        ["site_admin"] = false,
    };

    private JsonObject RepositoryJson() => new()
    {
        ["id"] = 1296269,
        ["node_id"] = "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        ["name"] = Name,
        ["full_name"] = $"{Owner}/{Name}",
        ["owner"] = UserJson(),
        ["private"] = false,
        ["html_url"] = Html(string.Empty),
        ["description"] = "Ktizo inventory",
        ["fork"] = false,
        ["url"] = Api(string.Empty),
        ["clone_url"] = Html(".git"),
        ["default_branch"] = DefaultBranch,
        ["visibility"] = "private",
        ["has_issues"] = true,
        ["open_issues_count"] = _issues.Count(i => i.State == "open"),
        ["created_at"] = "2025-01-01T00:00:00Z",
        ["updated_at"] = "2025-01-01T00:00:00Z",
        ["pushed_at"] = "2025-01-01T00:00:00Z",
        ["permissions"] = new JsonObject { ["admin"] = false, ["push"] = true, ["pull"] = true },
    };

    private JsonObject LabelJson(string name)
    {
        var (color, description, id) = _labels[name];
        return new JsonObject
        {
            ["id"] = id,
            ["node_id"] = $"LA_{id}",
            ["url"] = Api($"/labels/{Uri.EscapeDataString(name)}"),
            ["name"] = name,
            ["description"] = description,
            ["color"] = color,
            ["default"] = false,
        };
    }

    private JsonObject IssueJson(IssueRecord i)
    {
        var kind = i.IsPullRequest ? "pull" : "issues";
        var json = new JsonObject
        {
            ["url"] = Api($"/issues/{i.Number}"),
            ["repository_url"] = Api(string.Empty),
            ["labels_url"] = Api($"/issues/{i.Number}/labels{{/name}}"),
            ["comments_url"] = Api($"/issues/{i.Number}/comments"),
            ["events_url"] = Api($"/issues/{i.Number}/events"),
            ["html_url"] = Html($"/{kind}/{i.Number}"),
            ["id"] = i.Id,
            ["node_id"] = $"I_{i.Id}",
            ["number"] = i.Number,
            ["title"] = i.Title,
            ["user"] = UserJson(),
            ["labels"] = new JsonArray([.. i.Labels.Where(_labels.ContainsKey).Select(LabelJson)]),
            ["state"] = i.State,
            ["locked"] = false,
            ["assignee"] = null,
            ["assignees"] = new JsonArray(),
            ["milestone"] = i.Milestone is { } m ? MilestoneJson(m) : null,
            ["comments"] = _comments.Count(c => c.Issue == i.Number),
            ["created_at"] = Time(i.CreatedAt),
            ["updated_at"] = Time(i.UpdatedAt),
            ["closed_at"] = Time(i.ClosedAt),
            ["author_association"] = "OWNER",
            ["active_lock_reason"] = null,
            ["body"] = i.Body,
            ["closed_by"] = i.State == "closed" ? UserJson() : null,
            ["state_reason"] = i.StateReason,
        };
        if (i.IsPullRequest)
        {
            json["pull_request"] = new JsonObject
            {
                ["url"] = Api($"/pulls/{i.Number}"),
                ["html_url"] = Html($"/pull/{i.Number}"),
                ["diff_url"] = Html($"/pull/{i.Number}.diff"),
                ["patch_url"] = Html($"/pull/{i.Number}.patch"),
                ["merged_at"] = null,
            };
        }

        return json;
    }

    private JsonObject MilestoneJson(int number) => new()
    {
        ["url"] = Api($"/milestones/{number}"),
        ["html_url"] = Html($"/milestone/{number}"),
        ["labels_url"] = Api($"/milestones/{number}/labels"),
        ["id"] = 5000 + number,
        ["node_id"] = $"MI_{number}",
        ["number"] = number,
        ["state"] = "open",
        ["title"] = _milestones[number],
        ["description"] = null,
        ["creator"] = UserJson(),
        ["open_issues"] = _issues.Count(i => i.Milestone == number && i.State == "open"),
        ["closed_issues"] = _issues.Count(i => i.Milestone == number && i.State == "closed"),
        ["created_at"] = "2025-01-01T00:00:00Z",
        ["updated_at"] = "2025-01-01T00:00:00Z",
        ["closed_at"] = null,
        ["due_on"] = null,
    };

    private JsonObject CommentJson(CommentRecord c) => new()
    {
        ["id"] = c.Id,
        ["node_id"] = $"IC_{c.Id}",
        ["url"] = Api($"/issues/comments/{c.Id}"),
        ["html_url"] = Html($"/issues/{c.Issue}#issuecomment-{c.Id}"),
        ["body"] = c.Body,
        ["user"] = UserJson(),
        ["created_at"] = Time(c.CreatedAt),
        ["updated_at"] = Time(c.UpdatedAt),
        ["issue_url"] = Api($"/issues/{c.Issue}"),
        ["author_association"] = "OWNER",
    };

    private JsonObject RefJson(string branch, string sha) => new()
    {
        ["ref"] = $"refs/heads/{branch}",
        ["node_id"] = $"REF_{branch}",
        ["url"] = Api($"/git/refs/heads/{branch}"),
        ["object"] = new JsonObject
        {
            ["type"] = "commit",
            ["sha"] = sha,
            ["url"] = Api($"/git/commits/{sha}"),
        },
    };

    private JsonObject ContentJson(string path, string text, bool withContent)
    {
        var sha = BlobSha(text);
        var json = new JsonObject
        {
            ["type"] = "file",
            ["encoding"] = "base64",
            ["size"] = Encoding.UTF8.GetByteCount(text),
            ["name"] = path[(path.LastIndexOf('/') + 1)..],
            ["path"] = path,
            ["sha"] = sha,
            ["url"] = Api($"/contents/{path}"),
            ["git_url"] = Api($"/git/blobs/{sha}"),
            ["html_url"] = Html($"/blob/{DefaultBranch}/{path}"),
            ["download_url"] = $"https://raw.githubusercontent.com/{Owner}/{Name}/{DefaultBranch}/{path}",
            ["_links"] = new JsonObject
            {
                ["self"] = Api($"/contents/{path}"),
                ["git"] = Api($"/git/blobs/{sha}"),
                ["html"] = Html($"/blob/{DefaultBranch}/{path}"),
            },
        };
        if (withContent)
        {
            // GitHub wraps the Base64 at 60 characters.
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
            json["content"] = string.Join('\n', base64.Chunk(60).Select(c => new string(c))) + "\n";
        }

        return json;
    }

    private JsonObject CommitJson(CommitRecord c)
    {
        var person = new JsonObject { ["name"] = "ktizo-bot", ["email"] = "ktizo-bot@users.noreply.github.com", ["date"] = Time(c.At) };
        return new JsonObject
        {
            ["sha"] = c.Sha,
            ["node_id"] = $"C_{c.Sha[..8]}",
            ["url"] = Api($"/git/commits/{c.Sha}"),
            ["html_url"] = Html($"/commit/{c.Sha}"),
            ["author"] = person,
            ["committer"] = person.DeepClone(),
            ["message"] = c.Message,
            ["tree"] = new JsonObject { ["sha"] = Hex(SHA1.HashData(Encoding.UTF8.GetBytes("tree " + c.Sha))), ["url"] = Api("/git/trees/x") },
            ["parents"] = c.Parent is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["sha"] = c.Parent, ["url"] = Api($"/git/commits/{c.Parent}"), ["html_url"] = Html($"/commit/{c.Parent}") }),
            ["verification"] = new JsonObject { ["verified"] = false, ["reason"] = "unsigned", ["signature"] = null, ["payload"] = null },
        };
    }

    private JsonObject PullJson(IssueRecord pr)
    {
        JsonObject Side(string branch) => new()
        {
            ["label"] = $"{Owner}:{branch}",
            ["ref"] = branch,
            ["sha"] = _branches[branch],
            ["user"] = UserJson(),
            ["repo"] = RepositoryJson(),
        };

        return new JsonObject
        {
            ["url"] = Api($"/pulls/{pr.Number}"),
            ["id"] = pr.Id,
            ["node_id"] = $"PR_{pr.Id}",
            ["html_url"] = Html($"/pull/{pr.Number}"),
            ["diff_url"] = Html($"/pull/{pr.Number}.diff"),
            ["patch_url"] = Html($"/pull/{pr.Number}.patch"),
            ["issue_url"] = Api($"/issues/{pr.Number}"),
            ["commits_url"] = Api($"/pulls/{pr.Number}/commits"),
            ["comments_url"] = Api($"/issues/{pr.Number}/comments"),
            ["number"] = pr.Number,
            ["state"] = pr.State,
            ["locked"] = false,
            ["title"] = pr.Title,
            ["user"] = UserJson(),
            ["body"] = pr.Body,
            ["labels"] = new JsonArray(),
            ["milestone"] = null,
            ["active_lock_reason"] = null,
            ["created_at"] = Time(pr.CreatedAt),
            ["updated_at"] = Time(pr.UpdatedAt),
            ["closed_at"] = Time(pr.ClosedAt),
            ["merged_at"] = null,
            ["merge_commit_sha"] = null,
            ["assignee"] = null,
            ["assignees"] = new JsonArray(),
            ["requested_reviewers"] = new JsonArray(),
            ["requested_teams"] = new JsonArray(),
            ["head"] = Side(pr.Head!),
            ["base"] = Side(pr.Base!),
            ["author_association"] = "OWNER",
            ["auto_merge"] = null,
            ["draft"] = false,
            ["merged"] = false,
            ["mergeable"] = null,
            ["rebaseable"] = null,
            ["mergeable_state"] = "unknown",
            ["merged_by"] = null,
            ["comments"] = 0,
            ["review_comments"] = 0,
            ["maintainer_can_modify"] = false,
            ["commits"] = 1,
            ["additions"] = 4,
            ["deletions"] = 0,
            ["changed_files"] = 1,
        };
    }

    [GeneratedRegex(@"^/repos/(?<owner>[^/]+)/(?<name>[^/]+)(?<rest>/.*)?$")]
    private static partial Regex RepoPath();

    [GeneratedRegex(@"^/issues/(?<number>\d{1,9})$")]
    private static partial Regex IssuePath();

    [GeneratedRegex(@"^/issues/(?<number>\d{1,9})/comments$")]
    private static partial Regex IssueCommentsPath();

    [GeneratedRegex(@"^/issues/comments/(?<id>\d{1,18})$")]
    private static partial Regex CommentPath();

    // As GitHub routes it: a raw '/' in a label name splits the path (another route: 404); Kestrel leaves %2F
    // encoded in the path, and it is decoded into the name (ktizo%2Fpending is the label ktizo/pending).
    [GeneratedRegex(@"^/labels/(?<label>[^/]+)$")]
    private static partial Regex LabelPath();

    // Octokit asks for /git/refs/heads/x; GitHub documents /git/ref/heads/x. Both answer alike there.
    [GeneratedRegex(@"^/git/refs?/heads/(?<branch>.+)$")]
    private static partial Regex RefPath();

    [GeneratedRegex(@"^/contents/(?<path>.+)$")]
    private static partial Regex ContentsPath();

    private sealed class IssueRecord(int number, long id, DateTimeOffset createdAt)
    {
        public int Number { get; } = number;

        public long Id { get; } = id;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset UpdatedAt { get; set; }

        public DateTimeOffset? ClosedAt { get; set; }

        public required string Title { get; set; }

        public string? Body { get; set; }

        public string State { get; set; } = "open";

        public string? StateReason { get; set; }

        public List<string> Labels { get; set; } = [];

        public bool IsPullRequest { get; set; }

        public string? Head { get; set; }

        public string? Base { get; set; }

        public int? Milestone { get; set; }
    }

    private sealed class CommentRecord(long id, int issue, DateTimeOffset createdAt)
    {
        public long Id { get; } = id;

        public int Issue { get; } = issue;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset UpdatedAt { get; set; }

        public required string Body { get; set; }
    }

    private sealed record CommitRecord(string Sha, string? Parent, string Message, Dictionary<string, string> Files, DateTimeOffset At);
}
