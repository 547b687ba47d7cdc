using Ktizo.Core;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>
/// The GitHub settings on the gatekeeper's own settings path: each key of the <c>GitHub</c> section
/// (what <see cref="GitHubServiceCollectionExtensions.AddKtizoGitHub"/> binds) also has a flag and a
/// <c>KTIZO_GITHUB_…</c> variable. The token is never a setting: it is read from <c>KTIZO_GITHUB_TOKEN</c>
/// (or the variable named by <c>--github-token-variable</c>) or from <c>--github-token-file</c>.
/// Problems join the gatekeeper's one start-up message.
/// </summary>
public static class GitHubSettings
{
    /// <summary>(key in the GitHub section, flag, environment variable), in the order docs/gatekeeper.md lists them.</summary>
    public static readonly IReadOnlyList<(string Key, string Flag, string Variable)> Settings =
    [
        ("Repository", "--github-repository", "KTIZO_GITHUB_REPOSITORY"),
        ("ApiBaseUrl", "--github-api-url", "KTIZO_GITHUB_API_URL"),
        ("TokenFile", "--github-token-file", "KTIZO_GITHUB_TOKEN_FILE"),
        ("TokenEnvironmentVariable", "--github-token-variable", "KTIZO_GITHUB_TOKEN_VARIABLE"),
        ("PendingLabel", "--github-pending-label", "KTIZO_GITHUB_PENDING_LABEL"),
        ("DigestLabel", "--github-digest-label", "KTIZO_GITHUB_DIGEST_LABEL"),
        ("MaxOpenPendingIssues", "--github-max-open-issues", "KTIZO_GITHUB_MAX_OPEN_ISSUES"),
    ];

    /// <summary>
    /// Takes the <c>--github-…</c> flags out of <paramref name="args"/> (as <c>GitHub:…</c> keys) and
    /// returns the rest for <c>GatekeeperSettings.ParseFlags</c>.
    /// </summary>
    public static string[] TakeFlags(IReadOnlyList<string> args, out Dictionary<string, string?> values, List<string> errors)
    {
        values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals > 0 ? arg[..equals] : arg;
            var setting = Settings.FirstOrDefault(s => s.Flag == flag);
            if (setting.Key is null)
            {
                rest.Add(arg);
                continue;
            }

            if (equals > 0)
            {
                values[Key(setting.Key)] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[Key(setting.Key)] = args[++i];
            }
            else
            {
                errors.Add($"{flag}: needs a value");
            }
        }

        return [.. rest];
    }

    /// <summary>Maps <c>KTIZO_GITHUB_REPOSITORY</c> and the others to <c>GitHub:…</c> keys.</summary>
    public static Dictionary<string, string?> FromEnvironment(System.Collections.IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, _, variable) in Settings)
        {
            if (environment[variable] is string { Length: > 0 } value)
            {
                values[Key(key)] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// Checks the GitHub settings as <c>AddKtizoGitHub</c> will bind them, and that the token can be read
    /// (the message names where, never the value). Nothing to check when no repository is set: the feature is off.
    /// Returns configuration overrides to apply (an API URL without its trailing slash gets one).
    /// </summary>
    public static Dictionary<string, string?> Validate(IConfiguration configuration, List<string> errors)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var section = configuration.GetSection(GitHubOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section["Repository"]))
        {
            return overrides;
        }

        if (section["ApiBaseUrl"] is { Length: > 0 } url && !url.EndsWith('/'))
        {
            // Octokit resolves paths against the base: without the slash a GHE prefix (/api/v3) loses its last part.
            overrides[Key("ApiBaseUrl")] = url + "/";
        }

        var options = new GitHubOptions();
        try
        {
            section.Bind(options);
            if (overrides.TryGetValue(Key("ApiBaseUrl"), out var fixedUrl))
            {
                options.ApiBaseUrl = new Uri(fixedUrl!, UriKind.RelativeOrAbsolute);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or UriFormatException)
        {
            errors.Add($"GitHub settings: {e.Message}{(e.InnerException is null ? string.Empty : " " + e.InnerException.Message)}");
            return overrides;
        }

        foreach (var error in options.Validate())
        {
            errors.Add(Hint(error));
        }

        try
        {
            _ = GitHubToken.Read(options);
        }
        catch (KtizoException e)
        {
            errors.Add($"{e.Message} (--github-token-file, KTIZO_GITHUB_TOKEN_FILE; or KTIZO_GITHUB_TOKEN)");
        }

        return overrides;
    }

    private static string Hint(string error)
    {
        foreach (var (key, flag, variable) in Settings)
        {
            if (error.StartsWith(Key(key) + " ", StringComparison.Ordinal))
            {
                return $"{error} ({flag}, {variable})";
            }
        }

        return error;
    }

    private static string Key(string name) => GitHubOptions.SectionName + ":" + name;
}
