using System.CommandLine;
using System.Reflection;
using Ktizo.Core;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Octokit;

namespace Ktizo.Cli.Approval;

/// <summary>
/// The GitHub connection of <c>approve --pr</c>, <c>reject --pr</c> and <c>pr-comment</c>: the <c>GitHub</c>
/// settings from <c>KTIZO_GITHUB__&lt;SETTING&gt;</c> environment variables (the .NET convention the
/// gatekeeper's configuration reads too), overridden by flags; the token from the variable or file they
/// name, never from a flag (it would sit in shell history and process lists) and never printed.
/// </summary>
public sealed class GitHubSettings
{
    public const string EnvironmentPrefix = "KTIZO_GITHUB__";

    private readonly Option<string?> _repository = new("--github-repository")
    {
        Description = "The GitHub repository, owner/name (else KTIZO_GITHUB__REPOSITORY)",
    };

    private readonly Option<Uri?> _apiUrl = new("--github-api-url")
    {
        Description = "The REST API root, e.g. https://ghe.example.com/api/v3/ (else KTIZO_GITHUB__APIBASEURL, default https://api.github.com/)",
    };

    private readonly Option<string?> _tokenFile = new("--github-token-file")
    {
        Description = "A file holding the token (else KTIZO_GITHUB__TOKENFILE, or the variable KTIZO_GITHUB_TOKEN)",
    };

    public IEnumerable<Option> Options => [_repository, _apiUrl, _tokenFile];

    public void AddTo(Command command)
    {
        foreach (var option in Options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>A connected client, or a <see cref="KtizoException"/> naming every missing or bad setting.</summary>
    public GitHubConnection Connect(ParseResult parse, CliConsole console)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in typeof(GitHubOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (console.GetEnvironment(EnvironmentPrefix + property.Name.ToUpperInvariant()) is { Length: > 0 } value)
            {
                values[$"{GitHubOptions.SectionName}:{property.Name}"] = value;
            }
        }

        if (parse.GetValue(_repository) is { } repository)
        {
            values[$"{GitHubOptions.SectionName}:{nameof(GitHubOptions.Repository)}"] = repository;
        }

        if (parse.GetValue(_apiUrl) is { } apiUrl)
        {
            values[$"{GitHubOptions.SectionName}:{nameof(GitHubOptions.ApiBaseUrl)}"] = apiUrl.ToString();
        }

        if (parse.GetValue(_tokenFile) is { } tokenFile)
        {
            values[$"{GitHubOptions.SectionName}:{nameof(GitHubOptions.TokenFile)}"] = tokenFile;
        }

        var options = new GitHubOptions();
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(GitHubOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new KtizoException($"GitHub settings cannot be read: {e.Message}");
        }

        if (!options.Enabled)
        {
            throw new KtizoException("GitHub is not configured: pass --github-repository owner/name or set KTIZO_GITHUB__REPOSITORY, and put the token in KTIZO_GITHUB_TOKEN or a --github-token-file.");
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new KtizoException("GitHub settings are invalid:\n  " + string.Join("\n  ", errors));
        }

        var token = GitHubToken.Read(options, console.GetEnvironment);
        var repo = new GitHubRepository(options, token, TimeProvider.System, NullLoggerFactory.Instance);
        return new GitHubConnection(new GitHubApprovalPullRequests(repo, NullLogger<GitHubApprovalPullRequests>.Instance), options, token);
    }
}

/// <summary>A connected client, and what is needed to turn its failures into one safe line.</summary>
public sealed class GitHubConnection(IApprovalPullRequests pullRequests, GitHubOptions options, string token)
{
    public IApprovalPullRequests PullRequests { get; } = pullRequests;

    /// <summary>
    /// Runs a GitHub call; a failure becomes a <see cref="KtizoException"/> saying what GitHub answered,
    /// with the token scrubbed from it in case any layer ever echoed it.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AuthorizationException)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} refused the token (401 Bad credentials): check {TokenSource}.");
        }
        catch (ForbiddenException e)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} refused the request (403 {e.Message}): the token from {TokenSource} may lack the contents and pull-requests write permissions on {options.Repository}.");
        }
        catch (NotFoundException)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} answered 404: {options.Repository} does not exist, or the token from {TokenSource} cannot see it.");
        }
        catch (ApiException e)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} answered {(int)e.StatusCode}: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} cannot be reached: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            throw Failure($"GitHub at {options.ApiBaseUrl} did not answer in time.");
        }
    }

    private string TokenSource => string.IsNullOrWhiteSpace(options.TokenFile)
        ? $"the environment variable {options.TokenEnvironmentVariable}"
        : $"the token file {options.TokenFile}";

    private KtizoException Failure(string message) =>
        new(token.Length == 0 ? message : message.Replace(token, "***", StringComparison.Ordinal));
}
