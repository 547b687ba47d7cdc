using System.Net;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>
/// Refusals that no retry can cure: a person must change the repository or the token. The worker parks on
/// them (<see cref="GitHubOptions.RefusedBackoff"/>) and logs <see cref="Advice"/> once per episode, instead
/// of retrying every few seconds as after an outage. The outbox keeps its rows meanwhile.
/// </summary>
internal static class GitHubRefusal
{
    /// <summary>The permanent refusal <paramref name="e"/> is, or null for anything a retry may cure.</summary>
    public static GitHubRefusalReason? PermanentOf(Exception e)
    {
        if (e is not ApiException api)
        {
            return null;
        }

        var message = api.ApiError?.Message ?? api.Message ?? string.Empty;

        // Only this message: a 410 on one issue ("This issue was deleted") is about that issue, not the repository.
        if (api.StatusCode == HttpStatusCode.Gone && message.Contains("Issues are disabled", StringComparison.OrdinalIgnoreCase))
        {
            return GitHubRefusalReason.IssuesDisabled;
        }

        if (api.StatusCode == HttpStatusCode.Forbidden && message.Contains("not accessible by integration", StringComparison.OrdinalIgnoreCase))
        {
            return GitHubRefusalReason.NotAccessible;
        }

        return null;
    }

    /// <summary>What is wrong and what the operator must do; never the token.</summary>
    public static string Advice(GitHubRefusalReason reason, GitHubOptions options) => reason switch
    {
        GitHubRefusalReason.IssuesDisabled =>
            $"issues are disabled on {options.Repository} (GitHub answered 410 \"Issues are disabled for this repo\"): "
            + "enable Issues in the repository's settings (General, Features), or unset KTIZO_GITHUB__REPOSITORY to turn Ktizo's GitHub issues off",
        GitHubRefusalReason.NotAccessible =>
            $"the token from {GitHubCallException.TokenSource(options)} may read but not write {options.Repository} "
            + "(GitHub answered 403 \"Resource not accessible by integration\"): give it Issues read and write "
            + "(a fine-grained token or GitHub App on this repository, not a fork's workflow token)",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not a permanent refusal"),
    };
}
