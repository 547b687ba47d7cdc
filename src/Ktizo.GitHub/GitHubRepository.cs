using Microsoft.Extensions.Logging;
using Octokit.Internal;
using Octokit;

namespace Ktizo.GitHub;

/// <summary>
/// The configured repository with an Octokit client and the pacer every call goes through.
/// The client is made with <c>new Connection(…, baseUri, …)</c>, which uses the base URL as given
/// (the <c>GitHubClient(header, uri)</c> shortcut would append <c>/api/v3/</c> to any non-github.com host).
/// </summary>
public sealed class GitHubRepository
{
    private readonly string _token;

    public GitHubRepository(GitHubOptions options, string token, TimeProvider clock, ILoggerFactory loggers)
    {
        Options = options;
        _token = token;
        var baseUrl = options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.ApiBaseUrl : new Uri(options.ApiBaseUrl.AbsoluteUri + "/");
        var connection = new Connection(
            new ProductHeaderValue("ktizo"),
            baseUrl,
            new InMemoryCredentialStore(new Credentials(token)));
        Client = new GitHubClient(connection);
        Pacer = new GitHubPacer(options, clock, loggers.CreateLogger<GitHubPacer>(), () => Client.GetLastApiInfo());
    }

    public GitHubOptions Options { get; }

    public IGitHubClient Client { get; }

    public GitHubPacer Pacer { get; }

    public string Owner => Options.Owner;

    public string Name => Options.Name;

    /// <summary>The text with the token replaced, for anything a person reads.</summary>
    internal string Scrub(string text) => _token.Length == 0 ? text : text.Replace(_token, "***", StringComparison.Ordinal);

    public override string ToString() => $"{Options.Repository} at {Options.ApiBaseUrl}";
}
