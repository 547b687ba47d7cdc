using System.Globalization;
using System.Text;
using Ktizo.Core;
using Microsoft.Extensions.Configuration;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Reads <see cref="GatekeeperOptions"/> from configuration and reports every bad setting at once.
/// A setting named <c>PollInterval</c> is the flag <c>--poll-interval</c>, the environment variable
/// <c>KTIZO_POLL_INTERVAL</c> and the key <c>Ktizo:PollInterval</c> in appsettings.json.
/// </summary>
public static class GatekeeperSettings
{
    public const string Section = "Ktizo";

    /// <summary>Every setting, in the order docs/gatekeeper.md lists them.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "Repository", "RepositoryToken", "Branch", "PollInterval", "Urls", "PublicBaseUrl", "DataFolder",
        "WebhookSecret", "AdminToken", "RateLimitPermits", "RateLimitWindow", "StoreFlushInterval",
    ];

    public static string Flag(string name) => "--" + Separate(name, '-').ToLowerInvariant();

    public static string EnvironmentVariable(string name) => "KTIZO_" + Separate(name, '_').ToUpperInvariant();

    /// <summary>
    /// Turns <c>--poll-interval 10s</c> / <c>--poll-interval=10s</c> into <c>Ktizo:PollInterval</c> keys.
    /// Unknown flags and flags without a value are errors.
    /// </summary>
    public static Dictionary<string, string?> ParseFlags(IReadOnlyList<string> args, List<string> errors)
    {
        var byFlag = Names.ToDictionary(Flag, n => n, StringComparer.Ordinal);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals > 0 ? arg[..equals] : arg;
            if (!byFlag.TryGetValue(flag, out var name))
            {
                errors.Add($"'{arg}': unknown argument (known: {string.Join(", ", Names.Select(Flag))})");
                continue;
            }

            if (equals > 0)
            {
                values[Key(name)] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[Key(name)] = args[++i];
            }
            else
            {
                errors.Add($"{flag}: needs a value");
            }
        }

        return values;
    }

    /// <summary>Maps <c>KTIZO_POLL_INTERVAL=10s</c> to <c>Ktizo:PollInterval</c>; other variables are ignored.</summary>
    public static Dictionary<string, string?> FromEnvironment(System.Collections.IDictionary environment)
    {
        var byVariable = Names.ToDictionary(EnvironmentVariable, n => n, StringComparer.Ordinal);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in environment)
        {
            if (entry.Key is string variable && byVariable.TryGetValue(variable, out var name))
            {
                values[Key(name)] = entry.Value as string;
            }
        }

        return values;
    }

    /// <summary>
    /// Parses and validates every setting. Throws one <see cref="KtizoException"/> naming every bad
    /// setting (with its flag and variable), plus any <paramref name="earlierErrors"/> such as unknown flags.
    /// </summary>
    public static GatekeeperOptions Read(IConfiguration configuration, string currentDirectory, IReadOnlyList<string>? earlierErrors = null)
    {
        var errors = new List<string>(earlierErrors ?? []);
        var section = configuration.GetSection(Section);
        string? Get(string name) => section[name] is { Length: > 0 } value ? value.Trim() : null;
        void Bad(string name, string problem) =>
            errors.Add($"{name} ({Flag(name)}, {EnvironmentVariable(name)}): {problem}");

        var dataFolder = Path.GetFullPath(Get("DataFolder") ?? "data", currentDirectory);

        // Repository: default to the checkout we are standing in, on its current branch.
        var repository = Get("Repository");
        string? branchFromCheckout = null;
        if (repository is null)
        {
            var top = LocalCheckout.FindTop(currentDirectory);
            if (top is null)
            {
                Bad("Repository", $"not set, and '{currentDirectory}' is not inside a git checkout");
            }
            else
            {
                repository = top;
                branchFromCheckout = LocalCheckout.CurrentBranch(top);
            }
        }
        else if (IsRemoteUrl(repository, out var urlProblem))
        {
            if (urlProblem is not null)
            {
                Bad("Repository", urlProblem);
            }
        }
        else
        {
            repository = Path.GetFullPath(repository, currentDirectory);
            // A folder that is gone while a clone exists is an outage, not a typo: serve from the clone.
            if (!Directory.Exists(repository) && !Directory.Exists(Path.Combine(dataFolder, "repository")))
            {
                Bad("Repository", $"'{repository}' is neither an existing folder nor an https, ssh, git or file URL");
            }
            else
            {
                branchFromCheckout = LocalCheckout.CurrentBranch(repository);
            }
        }

        var branch = Get("Branch") ?? branchFromCheckout;
        if (branch is null)
        {
            if (repository is not null && !IsRemoteUrl(repository, out _))
            {
                Bad("Branch", "not set, and the repository has no current branch (detached HEAD?): name one");
            }

            // A remote URL without a branch: the common default.
            branch = "main";
        }
        else if (branch.StartsWith('-') || branch.Contains("..", StringComparison.Ordinal)
                 || branch.Any(c => char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            Bad("Branch", $"'{branch}' is not a valid branch name");
        }

        var pollInterval = Duration("PollInterval", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        var rateLimitWindow = Duration("RateLimitWindow", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        var flushInterval = Duration("StoreFlushInterval", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));

        var urls = new List<string>();
        foreach (var url in (Get("Urls") ?? "http://0.0.0.0:8000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/")
            {
                urls.Add(url);
            }
            else
            {
                Bad("Urls", $"'{url}' is not a listen URL such as http://0.0.0.0:8000 (separate several with ';')");
            }
        }

        if (urls.Count == 0 && !errors.Any(e => e.StartsWith("Urls", StringComparison.Ordinal)))
        {
            Bad("Urls", "no listen URL given");
        }

        Uri? publicBaseUrl = null;
        if (Get("PublicBaseUrl") is { } baseUrl)
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.Query))
            {
                publicBaseUrl = uri;
            }
            else
            {
                Bad("PublicBaseUrl", $"'{baseUrl}' is not an absolute http(s) URL such as http://10.0.5.1:8000");
            }
        }

        if (File.Exists(dataFolder))
        {
            Bad("DataFolder", $"'{dataFolder}' is a file, not a folder");
        }

        var webhookSecret = Get("WebhookSecret");
        if (webhookSecret is { Length: < 16 })
        {
            Bad("WebhookSecret", "shorter than 16 characters");
        }

        var adminToken = Get("AdminToken");
        if (adminToken is { Length: < 16 })
        {
            Bad("AdminToken", "shorter than 16 characters");
        }

        var permits = 300;
        if (Get("RateLimitPermits") is { } permitsText
            && (!int.TryParse(permitsText, NumberStyles.None, CultureInfo.InvariantCulture, out permits) || permits > 1_000_000))
        {
            Bad("RateLimitPermits", $"'{permitsText}' is not a whole number from 0 (no limit) to 1000000");
        }

        if (errors.Count > 0)
        {
            var message = new StringBuilder("The gatekeeper cannot start; fix these settings:");
            foreach (var error in errors)
            {
                message.Append("\n  - ").Append(error);
            }

            throw new KtizoException(message.ToString());
        }

        return new GatekeeperOptions
        {
            Repository = repository!,
            RepositoryToken = Get("RepositoryToken"),
            Branch = branch,
            PollInterval = pollInterval,
            Urls = urls,
            PublicBaseUrl = publicBaseUrl,
            DataFolder = dataFolder,
            WebhookSecret = webhookSecret,
            AdminToken = adminToken,
            RateLimitPermits = permits,
            RateLimitWindow = rateLimitWindow,
            StoreFlushInterval = flushInterval,
        };

        TimeSpan Duration(string name, TimeSpan fallback, TimeSpan minimum)
        {
            if (Get(name) is not { } text)
            {
                return fallback;
            }

            if (!TryParseDuration(text, out var value))
            {
                Bad(name, $"'{text}' is not a duration (examples: 500ms, 30s, 5m, 1h, 00:00:30)");
                return fallback;
            }

            if (value < minimum)
            {
                Bad(name, $"{text} is shorter than the minimum of {minimum.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
            }

            return value;
        }
    }

    /// <summary>Durations as people write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                value = TimeSpan.FromSeconds(amount * seconds);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    private static bool IsRemoteUrl(string repository, out string? problem)
    {
        problem = null;
        // scp-like ssh (git@github.com:owner/repo.git) goes through the system's ssh.
        if (System.Text.RegularExpressions.Regex.IsMatch(repository, @"^[\w.-]+@[\w.-]+:[^/\\]"))
        {
            return true;
        }

        if (!repository.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh" or "git" or "file"))
        {
            problem = $"'{repository}' is not an https, ssh, git or file URL";
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            problem = "the URL carries a password; pass the token as RepositoryToken (KTIZO_REPOSITORY_TOKEN) instead";
        }

        return true;
    }

    private static string Key(string name) => Section + ":" + name;

    private static string Separate(string pascal, char separator)
    {
        var builder = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append(separator);
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
