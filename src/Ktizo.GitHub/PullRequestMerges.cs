using Microsoft.Extensions.Logging;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>What the checks of one commit say, all of them together.</summary>
public enum CheckVerdict
{
    /// <summary>No check reported yet, or one still running: wait.</summary>
    Pending,

    /// <summary>At least one check, and every one passed.</summary>
    Passed,

    /// <summary>A check failed (or errored, was cancelled, timed out, needs action): never merge.</summary>
    Failed,
}

/// <summary>How a merge request ended.</summary>
public enum MergeResult
{
    Merged,

    /// <summary>405: GitHub will not merge it (a required review or check, a closed pull request).</summary>
    NotMergeable,

    /// <summary>409: the head moved since the checks were read; read them again.</summary>
    HeadChanged,
}

/// <summary>
/// Merging an approval rule's pull request (<c>action: merge</c>, docs/rules.md) through the REST API, paced like every
/// GitHub call: the checks of its head commit (commit statuses and check runs), then <c>PUT …/pulls/{n}/merge</c> with
/// that head's sha, so GitHub merges exactly the commit whose checks passed.
/// </summary>
public sealed class PullRequestMerges(GitHubRepository repo, ILogger<PullRequestMerges> logger)
{
    private static readonly string[] FailedStates = ["failure", "error"];
    private static readonly string[] FailedConclusions = ["failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"];
    private static readonly string[] PassedConclusions = ["success", "neutral", "skipped"];

    /// <summary>The combined status and the check runs of <paramref name="sha"/>, judged together.</summary>
    /// <exception cref="GitHubCallException">GitHub refused or could not be reached.</exception>
    public Task<CheckVerdict> ChecksOfAsync(string sha, CancellationToken cancellationToken) =>
        GitHubCallException.TranslateAsync(repo, async () =>
        {
            var (owner, name, pacer, client) = (repo.Owner, repo.Name, repo.Pacer, repo.Client);
            var combined = await pacer.ReadAsync(() => client.Repository.Status.GetCombined(owner, name, sha), cancellationToken).ConfigureAwait(false);
            var runs = await pacer.ReadAsync(() => client.Check.Run.GetAllForReference(owner, name, sha), cancellationToken).ConfigureAwait(false);
            var statuses = combined.Statuses.Select(s => s.State.StringValue).ToList();
            var checks = runs.CheckRuns.Select(r => (Status: r.Status.StringValue, Conclusion: r.Conclusion?.StringValue)).ToList();
            if (statuses.Any(s => FailedStates.Contains(s)) || checks.Any(c => c.Conclusion is { } x && FailedConclusions.Contains(x)))
            {
                return CheckVerdict.Failed;
            }

            var all = statuses.Count + checks.Count;
            var passed = statuses.Count(s => s == "success") + checks.Count(c => c.Status == "completed" && c.Conclusion is { } x && PassedConclusions.Contains(x));
            return all > 0 && passed == all ? CheckVerdict.Passed : CheckVerdict.Pending;
        });

    /// <summary>Merges pull request <paramref name="number"/> if its head is still <paramref name="sha"/>.</summary>
    /// <exception cref="GitHubCallException">GitHub refused otherwise or could not be reached.</exception>
    public Task<MergeResult> MergeAsync(int number, string sha, string title, CancellationToken cancellationToken) =>
        GitHubCallException.TranslateAsync(repo, async () =>
        {
            try
            {
                var merge = new MergePullRequest { Sha = sha, CommitTitle = title, MergeMethod = PullRequestMergeMethod.Merge };
                var done = await repo.Pacer.MutateAsync(() => repo.Client.PullRequest.Merge(repo.Owner, repo.Name, number, merge), createsContent: true, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Merged pull request #{PullRequest} at {Sha}: {Message}", number, sha, done.Message);
                return done.Merged ? MergeResult.Merged : MergeResult.NotMergeable;
            }
            catch (PullRequestNotMergeableException)
            {
                return MergeResult.NotMergeable;
            }
            catch (PullRequestMismatchException)
            {
                return MergeResult.HeadChanged;
            }
        });
}
