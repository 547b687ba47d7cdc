using System.Net;
using Ktizo.Core;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>
/// A GitHub call that failed, as Ktizo says it: what GitHub answered and what to check, with the token
/// scrubbed in case any layer ever echoed it. Callers outside this project never see Octokit's exceptions.
/// </summary>
public sealed class GitHubCallException : KtizoException
{
    public GitHubCallException(HttpStatusCode? status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>GitHub's answer; null when it was not reached or did not answer in time.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>Runs <paramref name="call"/>; an Octokit, HTTP or timeout failure becomes a <see cref="GitHubCallException"/>.</summary>
    internal static async Task<T> TranslateAsync<T>(GitHubRepository repository, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AuthorizationException e)
        {
            throw Failure(repository, e.StatusCode, $"GitHub at {repository.Options.ApiBaseUrl} refused the token (401 Bad credentials): check {TokenSource(repository.Options)}.");
        }
        catch (ForbiddenException e)
        {
            throw Failure(repository, e.StatusCode, $"GitHub at {repository.Options.ApiBaseUrl} refused the request (403 {e.Message}): the token from {TokenSource(repository.Options)} may lack the contents and pull-requests write permissions on {repository.Options.Repository}.");
        }
        catch (NotFoundException e)
        {
            throw Failure(repository, e.StatusCode, $"GitHub at {repository.Options.ApiBaseUrl} answered 404: {repository.Options.Repository} does not exist, or the token from {TokenSource(repository.Options)} cannot see it.");
        }
        catch (ApiException e)
        {
            throw Failure(repository, e.StatusCode, $"GitHub at {repository.Options.ApiBaseUrl} answered {(int)e.StatusCode}: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            throw Failure(repository, null, $"GitHub at {repository.Options.ApiBaseUrl} cannot be reached: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            throw Failure(repository, null, $"GitHub at {repository.Options.ApiBaseUrl} did not answer in time.");
        }
    }

    internal static string TokenSource(GitHubOptions options) => string.IsNullOrWhiteSpace(options.TokenFile)
        ? $"the environment variable {options.TokenEnvironmentVariable}"
        : $"the token file {options.TokenFile}";

    private static GitHubCallException Failure(GitHubRepository repository, HttpStatusCode? status, string message) =>
        new(status, repository.Scrub(message));
}
