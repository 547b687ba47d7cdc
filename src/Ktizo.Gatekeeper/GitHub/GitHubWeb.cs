using Ktizo.GitHub;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>Links into the repository's GitHub pages, only where a GitHub repository is configured.</summary>
public static class GitHubWeb
{
    /// <summary>https://github.com/owner/name/ for api.github.com; https://ghe.example/owner/name/ for …/api/v3/; null when GitHub is off.</summary>
    public static Uri? Repository(GitHubOptions? options)
    {
        if (options is null || string.IsNullOrEmpty(options.Repository))
        {
            return null;
        }

        var api = options.ApiBaseUrl;
        var root = api.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            ? new Uri("https://github.com/")
            : new Uri(api.GetLeftPart(UriPartial.Authority) + "/");
        return new Uri(root, options.Repository.Trim('/') + "/");
    }

    /// <summary>The pull request's page, or null when there is no number or GitHub is off.</summary>
    public static Uri? PullRequest(GitHubOptions? options, int? number) =>
        number is { } n && Repository(options) is { } web ? new Uri(web, $"pull/{n}") : null;
}
