using System.Text;
using System.Text.RegularExpressions;
using Ktizo.Core;
using Microsoft.Extensions.Logging;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>The approving pull request to open: one file at <see cref="Path"/> with <see cref="Content"/>.</summary>
/// <param name="Branch">branch to create; derived from the path when null (<c>ktizo/approve-node-01</c>)</param>
public sealed record ApprovalPullRequest(string Path, string Content, string Title, string Body, int? IssueNumber, string? Branch = null);

/// <summary>What a person sees afterwards.</summary>
public sealed record OpenedPullRequest(int Number, string HtmlUrl, string Branch, string BaseBranch, string CommitSha);

/// <summary>A comment that was created or edited in place.</summary>
public sealed record MarkedComment(long Id, string HtmlUrl, bool Created);

/// <summary>
/// The GitHub side of <c>ktizo approve --pr</c>/<c>ktizo reject --pr</c> and of the validate workflow's
/// diff comment. The CLI owns the commands; these are the calls they make.
/// </summary>
public interface IApprovalPullRequests
{
    bool Enabled { get; }

    /// <summary>
    /// Creates a branch from the head of the default branch, commits the file on it through the
    /// contents API, and opens a pull request into the default branch whose body ends with
    /// <c>Closes #N</c> when an issue is given.
    /// </summary>
    Task<OpenedPullRequest> OpenApprovalPullRequestAsync(ApprovalPullRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Creates, or edits in place, the one comment on pull request (or issue) <paramref name="number"/>
    /// that carries the hidden marker <paramref name="marker"/>, so each push updates it instead of adding one.
    /// </summary>
    Task<MarkedComment> UpsertMarkedCommentAsync(int number, string marker, string body, CancellationToken cancellationToken);

    /// <summary>
    /// The open pull request from branch <paramref name="branch"/> of this repository, or null: finds one GitHub created
    /// although its answer was an error, so a retry does not open a second.
    /// </summary>
    Task<OpenedPullRequest?> FindOpenPullRequestAsync(string branch, CancellationToken cancellationToken);
}

public sealed class NullApprovalPullRequests : IApprovalPullRequests
{
    public bool Enabled => false;

    public Task<OpenedPullRequest> OpenApprovalPullRequestAsync(ApprovalPullRequest request, CancellationToken cancellationToken) =>
        throw new KtizoException("--pr needs GitHub: set GitHub:Repository and a token (see src/Ktizo.GitHub/README.md).");

    public Task<OpenedPullRequest?> FindOpenPullRequestAsync(string branch, CancellationToken cancellationToken) =>
        Task.FromResult<OpenedPullRequest?>(null);

    public Task<MarkedComment> UpsertMarkedCommentAsync(int number, string marker, string body, CancellationToken cancellationToken) =>
        throw new KtizoException("Commenting needs GitHub: set GitHub:Repository and a token (see src/Ktizo.GitHub/README.md).");
}

public sealed partial class GitHubApprovalPullRequests : IApprovalPullRequests
{
    private readonly GitHubRepository _repo;
    private readonly ILogger<GitHubApprovalPullRequests> _logger;

    public GitHubApprovalPullRequests(GitHubRepository repo, ILogger<GitHubApprovalPullRequests> logger)
    {
        _repo = repo;
        _logger = logger;
    }

    public bool Enabled => true;

    public static string HiddenMarker(string marker) => $"<!-- ktizo:{marker} -->";

    /// <inheritdoc/>
    /// <exception cref="GitHubCallException">GitHub refused or could not be reached.</exception>
    public Task<OpenedPullRequest> OpenApprovalPullRequestAsync(ApprovalPullRequest request, CancellationToken cancellationToken) =>
        GitHubCallException.TranslateAsync(_repo, () => OpenAsync(request, cancellationToken));

    /// <inheritdoc/>
    /// <exception cref="GitHubCallException">GitHub refused or could not be reached.</exception>
    public Task<MarkedComment> UpsertMarkedCommentAsync(int number, string marker, string body, CancellationToken cancellationToken) =>
        GitHubCallException.TranslateAsync(_repo, () => UpsertAsync(number, marker, body, cancellationToken));

    private async Task<OpenedPullRequest> OpenAsync(ApprovalPullRequest request, CancellationToken cancellationToken)
    {
        var (owner, name, pacer, client) = (_repo.Owner, _repo.Name, _repo.Pacer, _repo.Client);
        var repository = await pacer.ReadAsync(() => client.Repository.Get(owner, name), cancellationToken).ConfigureAwait(false);
        var baseBranch = repository.DefaultBranch;
        var head = await pacer.ReadAsync(() => client.Git.Reference.Get(owner, name, $"heads/{baseBranch}"), cancellationToken).ConfigureAwait(false);

        var branch = await CreateBranchAsync(request.Branch ?? BranchFor(request.Path), head.Object.Sha, cancellationToken).ConfigureAwait(false);
        try
        {
            return await CommitAndOpenAsync(request, branch, baseBranch, head.Object.Sha, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // GitHub may have opened the pull request and still answered with an error (a 502 behind its proxy): that
            // one is the proposal, and deleting its branch would close it.
            if (await FindOpenQuietlyAsync(branch, e).ConfigureAwait(false) is { } opened)
            {
                return opened;
            }

            // A branch without its pull request is litter a person would have to find and delete.
            await DeleteBranchAsync(branch, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="GitHubCallException">GitHub refused or could not be reached.</exception>
    public Task<OpenedPullRequest?> FindOpenPullRequestAsync(string branch, CancellationToken cancellationToken) =>
        GitHubCallException.TranslateAsync(_repo, () => FindOpenAsync(branch, cancellationToken));

    private async Task<OpenedPullRequest?> FindOpenAsync(string branch, CancellationToken cancellationToken)
    {
        var (owner, name, pacer, client) = (_repo.Owner, _repo.Name, _repo.Pacer, _repo.Client);
        var filter = new PullRequestRequest { State = ItemStateFilter.Open, Head = $"{owner}:{branch}" };
        var found = await pacer.ReadAsync(() => client.PullRequest.GetAllForRepository(owner, name, filter, new ApiOptions { PageSize = 10, PageCount = 1 }), cancellationToken).ConfigureAwait(false);
        return found.Where(p => p.Head.Ref == branch).OrderBy(p => p.Number).FirstOrDefault() is { } pr
            ? new OpenedPullRequest(pr.Number, pr.HtmlUrl, branch, pr.Base.Ref, pr.Head.Sha)
            : null;
    }

    private async Task<OpenedPullRequest?> FindOpenQuietlyAsync(string branch, Exception cause)
    {
        try
        {
            // Not the caller's token: the lookup decides whether the branch is deleted, and must finish.
            if (await FindOpenAsync(branch, CancellationToken.None).ConfigureAwait(false) is { } opened)
            {
                _logger.LogInformation("Pull request #{PullRequest} from {Branch} exists although GitHub answered {Reason}: kept", opened.Number, branch, _repo.Scrub(cause.Message));
                return opened;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Could not look for a pull request from {Branch} ({Reason})", branch, _repo.Scrub(e.Message));
        }

        return null;
    }

    private async Task<OpenedPullRequest> CommitAndOpenAsync(ApprovalPullRequest request, string branch, string baseBranch, string startSha, CancellationToken cancellationToken)
    {
        var (owner, name, pacer, client) = (_repo.Owner, _repo.Name, _repo.Pacer, _repo.Client);

        // Read at the commit the branch was just created from, not by the branch's name: GitHub's reads
        // can lag its writes, and a lagging 404 for the new branch made an existing file look new (then
        // the write without its sha failed with 422). A commit that existed before is never stale.
        string? existingSha = null;
        try
        {
            var existing = await pacer.ReadAsync(() => client.Repository.Content.GetAllContentsByRef(owner, name, request.Path, startSha), cancellationToken).ConfigureAwait(false);
            existingSha = existing.FirstOrDefault()?.Sha;
        }
        catch (NotFoundException)
        {
            // A new device file: the usual case.
        }

        var message = request.Title;
        var change = existingSha is null
            ? await pacer.MutateAsync(() => client.Repository.Content.CreateFile(owner, name, request.Path, new CreateFileRequest(message, request.Content, branch)), createsContent: true, cancellationToken).ConfigureAwait(false)
            : await pacer.MutateAsync(() => client.Repository.Content.UpdateFile(owner, name, request.Path, new UpdateFileRequest(message, request.Content, existingSha, branch)), createsContent: true, cancellationToken).ConfigureAwait(false);

        var body = new StringBuilder(request.Body.TrimEnd());
        if (request.IssueNumber is { } issue)
        {
            body.Append("\n\nCloses #").Append(issue);
        }

        var pr = await pacer.MutateAsync(
            () => client.PullRequest.Create(owner, name, new NewPullRequest(request.Title, branch, baseBranch) { Body = body.ToString() }),
            createsContent: true,
            cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Opened pull request #{PullRequest} from {Branch} adding {Path}", pr.Number, branch, request.Path);
        return new OpenedPullRequest(pr.Number, pr.HtmlUrl, branch, baseBranch, change.Commit.Sha);
    }

    /// <summary>Deletes a branch this proposal created; a failure to do so is logged, the original failure stands.</summary>
    private async Task DeleteBranchAsync(string branch, Exception cause)
    {
        try
        {
            // Not cancelled with the proposal: cleaning up after a cancelled proposal is the point.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _repo.Pacer.MutateAsync(
                async () =>
                {
                    await _repo.Client.Git.Reference.Delete(_repo.Owner, _repo.Name, $"heads/{branch}").ConfigureAwait(false);
                    return true;
                },
                createsContent: false,
                timeout.Token).ConfigureAwait(false);
            _logger.LogInformation("Deleted branch {Branch}: the pull request could not be opened ({Reason})", branch, _repo.Scrub(cause.Message));
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or OperationCanceledException)
        {
            _logger.LogWarning("Branch {Branch} is left behind (deleting it failed: {Reason}); delete it by hand", branch, _repo.Scrub(e.Message));
        }
    }

    private async Task<MarkedComment> UpsertAsync(int number, string marker, string body, CancellationToken cancellationToken)
    {
        var (owner, name, pacer, client) = (_repo.Owner, _repo.Name, _repo.Pacer, _repo.Client);
        var hidden = HiddenMarker(marker);
        var text = FitBody(body.TrimEnd(), "\n\n" + hidden + "\n");
        var comments = await pacer.ReadAsync(() => client.Issue.Comment.GetAllForIssue(owner, name, number, new ApiOptions { PageSize = 100 }), cancellationToken).ConfigureAwait(false);
        var mine = comments.Where(c => c.Body?.Contains(hidden, StringComparison.Ordinal) == true).OrderBy(c => c.Id).FirstOrDefault();
        if (mine is null)
        {
            var created = await pacer.MutateAsync(() => client.Issue.Comment.Create(owner, name, number, text), createsContent: true, cancellationToken).ConfigureAwait(false);
            return new MarkedComment(created.Id, created.HtmlUrl, true);
        }

        if (mine.Body == text)
        {
            return new MarkedComment(mine.Id, mine.HtmlUrl, false);
        }

        var updated = await pacer.MutateAsync(() => client.Issue.Comment.Update(owner, name, mine.Id, text), createsContent: false, cancellationToken).ConfigureAwait(false);
        return new MarkedComment(updated.Id, updated.HtmlUrl, false);
    }

    /// <summary>
    /// <paramref name="text"/> then <paramref name="tail"/>, the text cut so the whole stays within GitHub's
    /// body limit (a diff of a large change can be longer; GitHub would refuse it with 422).
    /// </summary>
    public static string FitBody(string text, string tail)
    {
        if (text.Length + tail.Length <= PendingIssueText.MaxBodyLength)
        {
            return text + tail;
        }

        const string cut = "\n\n… (cut here: GitHub takes at most 65,536 characters; the workflow's log has the rest)";
        var keep = PendingIssueText.MaxBodyLength - tail.Length - cut.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep] + cut + tail;
    }

    /// <summary><c>inventory/devices/node-01.yaml</c> → <c>ktizo/approve-node-01</c>.</summary>
    public static string BranchFor(string path)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        var safe = BranchUnsafe().Replace(stem, "-").Trim('-');
        return "ktizo/approve-" + (safe.Length > 0 ? safe : "device");
    }

    private async Task<string> CreateBranchAsync(string wanted, string sha, CancellationToken cancellationToken)
    {
        // A branch left by an earlier attempt is not overwritten: the next free suffix is used.
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            var branch = attempt == 1 ? wanted : $"{wanted}-{attempt}";
            try
            {
                await _repo.Pacer.MutateAsync(() => _repo.Client.Git.Reference.Create(_repo.Owner, _repo.Name, new NewReference($"refs/heads/{branch}", sha)), createsContent: true, cancellationToken).ConfigureAwait(false);
                return branch;
            }
            catch (ApiValidationException e) when (e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                _logger.LogInformation("Branch {Branch} exists already; trying the next name", branch);
            }
        }

        throw new KtizoException($"Branches {wanted} to {wanted}-20 all exist in {_repo.Options.Repository}; delete old ones or pass a branch name.");
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex BranchUnsafe();
}
