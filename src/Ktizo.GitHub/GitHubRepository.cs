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
    private readonly ApiConnection _api;

    /// <param name="health">shared with the worker and the gatekeeper's metrics; a new one when null</param>
    public GitHubRepository(GitHubOptions options, string token, TimeProvider clock, ILoggerFactory loggers, GitHubHealth? health = null)
    {
        Options = options;
        Health = health ?? new GitHubHealth();
        _token = token;
        var baseUrl = options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? options.ApiBaseUrl : new Uri(options.ApiBaseUrl.AbsoluteUri + "/");
        var connection = new Connection(
            new ProductHeaderValue("ktizo"),
            baseUrl,
            new InMemoryCredentialStore(new Credentials(token)));
        Client = new GitHubClient(connection);
        _api = new ApiConnection(connection);
        Pacer = new GitHubPacer(options, clock, loggers.CreateLogger<GitHubPacer>(), () => Client.GetLastApiInfo(), Health);
    }

    public GitHubOptions Options { get; }

    public IGitHubClient Client { get; }

    public GitHubPacer Pacer { get; }

    /// <summary>Refusals met and whether the worker is parked.</summary>
    public GitHubHealth Health { get; }

    public string Owner => Options.Owner;

    public string Name => Options.Name;

    /// <summary>
    /// PATCHes issue <paramref name="number"/> with only the fields Ktizo owns (body, state, state reason),
    /// through the pacer. Octokit's <c>Issue.Update</c> sends <c>"milestone": null</c> with every
    /// <see cref="IssueUpdate"/>, which GitHub applies: each close or digest edit cleared a milestone a person set.
    /// </summary>
    public Task<Issue> UpdateIssueAsync(int number, string? body, ItemState? state, ItemStateReason? reason, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, object>();
        if (body is not null)
        {
            fields["body"] = body;
        }

        if (state is { } s)
        {
            fields["state"] = s == ItemState.Closed ? "closed" : "open";
        }

        if (reason is { } r)
        {
            fields["state_reason"] = r switch
            {
                ItemStateReason.Completed => "completed",
                ItemStateReason.NotPlanned => "not_planned",
                ItemStateReason.Reopened => "reopened",
                _ => throw new ArgumentOutOfRangeException(nameof(reason), r, "not a reason Ktizo closes with"),
            };
        }

        var uri = new Uri($"repos/{Uri.EscapeDataString(Owner)}/{Uri.EscapeDataString(Name)}/issues/{number}", UriKind.Relative);
        return Pacer.MutateAsync(() => _api.Patch<Issue>(uri, fields), createsContent: false, cancellationToken);
    }

    /// <summary>
    /// Reads label <paramref name="name"/> through the pacer. Octokit's <c>Labels.Get</c> puts the name into the path
    /// as it is, and GitHub splits a path at a raw '/': the default <c>ktizo/pending</c> was answered 404 (another
    /// route) and created again on every start. Escaped, the '/' is <c>%2F</c>, which GitHub decodes into the name.
    /// </summary>
    public Task<Label> GetLabelAsync(string name, CancellationToken cancellationToken)
    {
        var uri = new Uri($"repos/{Uri.EscapeDataString(Owner)}/{Uri.EscapeDataString(Name)}/labels/{Uri.EscapeDataString(name)}", UriKind.Relative);
        return Pacer.ReadAsync(() => _api.Get<Label>(uri), cancellationToken);
    }

    /// <summary>The text with the token replaced, for anything a person reads.</summary>
    internal string Scrub(string text) => _token.Length == 0 ? text : text.Replace(_token, "***", StringComparison.Ordinal);

    public override string ToString() => $"{Options.Repository} at {Options.ApiBaseUrl}";
}
