// Refusals GitHub gives that are not limits or outages, and GitHub Enterprise Server without rate limits
// (issue 21). Each is a switch a test turns on and off; the answers use GitHub's own payloads and headers.
namespace Ktizo.Testing.GitHub;

public sealed partial class GitHubStandIn
{
    /// <summary>GitHub's answer on every issue endpoint of a repository whose Issues feature is switched off.</summary>
    public const string IssuesDisabledMessage = "Issues are disabled for this repo";

    /// <summary>GitHub's answer to a write by a token that may read but not write (a fork's workflow token, a too-narrow app).</summary>
    public const string NotAccessibleMessage = "Resource not accessible by integration";

    private volatile bool _issuesDisabled;
    private volatile bool _writesNotAccessible;
    private volatile bool _rateLimitHeaders = true;

    /// <summary>While true, every <c>/issues…</c> request (list, get, create, update, comments) is answered 410.</summary>
    public bool IssuesDisabled
    {
        get => _issuesDisabled;
        set => _issuesDisabled = value;
    }

    /// <summary>While true, every POST, PUT, PATCH and DELETE is answered 403 "Resource not accessible by integration"; reads work.</summary>
    public bool WritesNotAccessible
    {
        get => _writesNotAccessible;
        set => _writesNotAccessible = value;
    }

    /// <summary>
    /// False answers without any <c>x-ratelimit-*</c> header, as GitHub Enterprise Server does with rate
    /// limiting off. The limits in <see cref="Limits"/> still apply (set them high to model "off").
    /// </summary>
    public bool SendsRateLimitHeaders
    {
        get => _rateLimitHeaders;
        set => _rateLimitHeaders = value;
    }

    /// <summary>A 410 or 403 refusal for this request under the switches above; null when none applies.</summary>
    private Reply? Refuse(string method, string path)
    {
        var m = RepoPath().Match(path);
        var rest = m.Success ? m.Groups["rest"].Value : string.Empty;
        if (_issuesDisabled && (rest == "/issues" || rest.StartsWith("/issues/", StringComparison.Ordinal)))
        {
            return Error(410, IssuesDisabledMessage, "https://docs.github.com/rest/issues/issues");
        }

        if (_writesNotAccessible && method is "POST" or "PUT" or "PATCH" or "DELETE")
        {
            return Error(403, NotAccessibleMessage, WriteDocumentation(rest));
        }

        return null;
    }

    private static string WriteDocumentation(string rest) => rest switch
    {
        "/issues" => "https://docs.github.com/rest/issues/issues#create-an-issue",
        _ when rest.StartsWith("/issues/", StringComparison.Ordinal) => "https://docs.github.com/rest/issues/issues#update-an-issue",
        "/labels" => "https://docs.github.com/rest/issues/labels#create-a-label",
        "/pulls" => "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        _ when rest.StartsWith("/git/", StringComparison.Ordinal) => "https://docs.github.com/rest/git/refs",
        _ when rest.StartsWith("/contents/", StringComparison.Ordinal) => "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
        _ => DocumentationUrl,
    };
}
