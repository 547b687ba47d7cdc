using System.ComponentModel;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Boot;
using Ktizo.Core.Settings;
using Ktizo.Gatekeeper.Boot;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// The one check of every setting, naming each bad one with all its spellings. The host runs it at start
/// (<c>ValidateOnStart</c>); <see cref="Check"/> runs it before the host exists, adding what binding cannot
/// report (a value that is not of its setting's type, an old spelling) so that one message names everything.
/// </summary>
/// <param name="environment">Where the GitHub token variable is read (the process, or a CLI test's console).</param>
public sealed class SettingsValidator(Func<string, string?> environment)
    : IValidateOptions<GatekeeperOptions>, IValidateOptions<GitHubOptions>, IValidateOptions<BootOptions>, IValidateOptions<NotificationDeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationDeliveryOptions options) => Result(Problems(options));

    public ValidateOptionsResult Validate(string? name, GatekeeperOptions options) => Result(Problems(options));

    public ValidateOptionsResult Validate(string? name, GitHubOptions options) => Result(Problems(options));

    public ValidateOptionsResult Validate(string? name, BootOptions options) => Result(Problems(options));

    /// <summary>
    /// Every problem of <paramref name="settings"/> in <paramref name="configuration"/>: old spellings still set,
    /// values that do not convert, then the rules on the options as bound and completed. Empty when all is well.
    /// </summary>
    public IReadOnlyList<string> Check(IConfiguration configuration, IReadOnlyList<Setting> settings, string currentDirectory)
    {
        var errors = new List<string>();
        var keys = settings.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (old, key) in RenamedSpellings.Variables)
        {
            if (keys.Contains(key) && !string.IsNullOrEmpty(environment(old)))
            {
                errors.Add(RenamedSpellings.VariableMessage(old, KtizoSettings.Find(key)));
            }
        }

        if (settings.Any(s => s.Options == typeof(GatekeeperOptions)))
        {
            foreach (var old in configuration.GetSection(RenamedSpellings.OldSection).AsEnumerable(makePathsRelative: true))
            {
                if (old.Value is not null)
                {
                    errors.Add(RenamedSpellings.KeyMessage($"{RenamedSpellings.OldSection}:{old.Key}", old.Key));
                }
            }
        }

        // A value of the wrong type would stop binding at the first one; name each, then bind without them.
        var unreadable = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            if (configuration[setting.Key] is { Length: > 0 } text && !Converts(setting.Type, text))
            {
                errors.Add($"{setting.Names}: '{text}' is not {Kind(setting.Type)}");
                unreadable[setting.Key] = null;
            }
        }

        var readable = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(unreadable).Build();
        if (settings.Any(s => s.Options == typeof(GatekeeperOptions)))
        {
            errors.AddRange(Problems(Bind(readable, new GatekeeperOptions(), new GatekeeperDefaults(currentDirectory))));
        }

        if (settings.Any(s => s.Options == typeof(GitHubOptions)))
        {
            errors.AddRange(Problems(Bind(readable.GetSection(GitHubOptions.SectionName), new GitHubOptions(), null)));
        }

        if (settings.Any(s => s.Options == typeof(BootOptions)))
        {
            errors.AddRange(Problems(Bind(readable.GetSection(BootOptions.Section), new BootOptions(), null)));
        }

        if (settings.Any(s => s.Options == typeof(NotificationDeliveryOptions)))
        {
            // A value named above as unreadable keeps its default here, so it is not named twice.
            var delivery = Bind(readable.GetSection(NotificationDeliveryOptions.Section), new NotificationDeliveryOptions(), null);
            var defaults = new NotificationDeliveryOptions();
            foreach (var setting in KtizoSettings.NotificationDelivery.Where(s => unreadable.ContainsKey(s.Key)))
            {
                var property = typeof(NotificationDeliveryOptions).GetProperty(setting.Property)!;
                property.SetValue(delivery, property.GetValue(defaults));
            }

            errors.AddRange(Problems(delivery));
            errors.AddRange(NotificationReceiver.Problems(Receivers(readable), environment));
        }

        return errors;
    }

    /// <summary>One <see cref="KtizoException"/> listing <paramref name="errors"/> under <paramref name="heading"/>.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> errors, string heading)
    {
        if (errors.Count == 0)
        {
            return;
        }

        var message = new StringBuilder(heading);
        foreach (var error in errors)
        {
            message.Append("\n  - ").Append(error);
        }

        throw new KtizoException(message.ToString());
    }

    public static IReadOnlyList<string> Problems(GatekeeperOptions options)
    {
        var errors = new List<string>();
        void Bad(string key, string problem) => errors.Add($"{KtizoSettings.Find(key).Names}: {problem}");

        if (options.Repository.Length == 0)
        {
            Bad("Repository", "not set, and the current directory is not inside a git checkout");
        }
        else if (RepositoryLocation.IsRemote(options.Repository, out var urlProblem))
        {
            if (urlProblem is not null)
            {
                Bad("Repository", urlProblem);
            }
        }
        else if (!Directory.Exists(options.Repository) && !Directory.Exists(options.ClonePath))
        {
            // A folder that is gone while a clone exists is an outage, not a typo: serve from the clone.
            Bad("Repository", $"'{options.Repository}' is neither an existing folder nor an https, ssh, git or file URL");
        }

        if (options.Branch.Length == 0)
        {
            if (options.Repository.Length > 0)
            {
                Bad("Branch", "not set, and the repository has no current branch (detached HEAD?): name one");
            }
        }
        else if (options.Branch.StartsWith('-') || options.Branch.Contains("..", StringComparison.Ordinal)
                 || options.Branch.Any(c => char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            Bad("Branch", $"'{options.Branch}' is not a valid branch name");
        }

        AtLeast("PollInterval", options.PollInterval, Duration.FromSeconds(1));
        AtLeast("RenderBudget", options.RenderBudget, Duration.FromSeconds(1));
        AtLeast("RateLimitWindow", options.RateLimitWindow, Duration.FromSeconds(1));
        AtLeast("StoreFlushInterval", options.StoreFlushInterval, Duration.FromMilliseconds(100));

        foreach (var url in options.ListenUrls)
        {
            if (!(Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                  && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"))
            {
                Bad("Urls", $"'{url}' is not a listen URL such as http://0.0.0.0:8000 (separate several with ';')");
            }
        }

        if (options.ListenUrls.Count == 0)
        {
            Bad("Urls", "no listen URL given");
        }

        if (options.PublicBaseUrl is { } baseUrl && !(baseUrl.IsAbsoluteUri && baseUrl.Scheme is "http" or "https" && string.IsNullOrEmpty(baseUrl.Query)))
        {
            Bad("PublicBaseUrl", $"'{baseUrl}' is not an absolute http(s) URL such as http://10.0.5.1:8000");
        }

        if (File.Exists(options.DataFolder))
        {
            Bad("DataFolder", $"'{options.DataFolder}' is a file, not a folder");
        }

        if (options.AgeIdentityFile is { } identityFile)
        {
            if (options.SecretsFile is not null)
            {
                Bad("AgeIdentityFile", "set together with SecretsFile: choose one place for the secrets bundle (docs/secrets.md)");
            }

            if (!File.Exists(identityFile))
            {
                Bad("AgeIdentityFile", $"'{identityFile}' is not an existing file");
            }
        }

        if (options.SecretsAgeFile.Contains('\\', StringComparison.Ordinal)
            || options.SecretsAgeFile.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            Bad("SecretsAgeFile", $"'{options.SecretsAgeFile}' is not a relative path inside the repository (forward slashes, no '..')");
        }

        if (options.WebhookSecret is { Length: < 16 })
        {
            Bad("WebhookSecret", "shorter than 16 characters");
        }

        if (options.AdminToken is { Length: < 16 })
        {
            Bad("AdminToken", "shorter than 16 characters");
        }

        if (options.ViewerToken is { Length: < 16 })
        {
            Bad("ViewerToken", "shorter than 16 characters");
        }
        else if (options.ViewerToken is not null && options.ViewerToken == options.AdminToken)
        {
            Bad("ViewerToken", "the same as AdminToken: a viewer would be an admin");
        }

        if (options.PendingRetention.Value != TimeSpan.Zero && options.PendingRetention.Value < TimeSpan.FromHours(1))
        {
            Bad("PendingRetention", $"{options.PendingRetention} is shorter than the minimum of 1h (0 turns pruning off)");
        }

        if (options.HistoryEntries is < 1 or > 1000)
        {
            Bad("HistoryEntries", $"{options.HistoryEntries} is not from 1 to 1000");
        }

        if (options.RateLimitPermits is < 0 or > 1_000_000)
        {
            Bad("RateLimitPermits", $"{options.RateLimitPermits} is not from 0 (no limit) to 1000000");
        }

        return errors;

        void AtLeast(string key, Duration value, Duration minimum)
        {
            if (value.Value < minimum.Value)
            {
                Bad(key, $"{value} is shorter than the minimum of {minimum}");
            }
        }
    }

    public IReadOnlyList<string> Problems(GitHubOptions options)
    {
        var errors = options.Validate().Select(p => $"{KtizoSettings.Find($"{GitHubOptions.SectionName}:{p.Property}").Names}: {p.Problem}").ToList();
        if (options.Enabled)
        {
            try
            {
                _ = GitHubToken.Read(options, environment);
            }
            catch (KtizoException e)
            {
                var where = string.IsNullOrWhiteSpace(options.TokenFile) ? "TokenEnvironmentVariable" : "TokenFile";
                errors.Add($"{KtizoSettings.Find($"{GitHubOptions.SectionName}:{where}").Names}: {e.Message}");
            }
        }

        return errors;
    }

    public static IReadOnlyList<string> Problems(BootOptions options)
    {
        var errors = new List<string>();
        if (options.PublicBaseUrl is { } text && !IsUsableBaseUrl(text))
        {
            errors.Add($"{KtizoSettings.Find("Boot:PublicBaseUrl").Names}: '{text}' is not an absolute http(s) URL without query, fragment or '$'");
        }

        if (options.AssetsPath is { } assets && !Directory.Exists(assets))
        {
            errors.Add($"{KtizoSettings.Find("Boot:AssetsPath").Names}: '{assets}' is not an existing folder (holding vmlinuz and initramfs.xz)");
        }

        return errors;
    }

    public static IReadOnlyList<string> Problems(NotificationDeliveryOptions options)
    {
        var errors = new List<string>();
        void Bad(string property, string problem) => errors.Add($"{KtizoSettings.Find($"{NotificationDeliveryOptions.Section}:{property}").Names}: {problem}");

        if (options.FoldThreshold is < 1 or > 10_000)
        {
            Bad("FoldThreshold", $"{options.FoldThreshold} is not from 1 to 10000");
        }

        if (options.MaxQueuedPerReceiver is < 1 or > 1_000_000)
        {
            Bad("MaxQueuedPerReceiver", $"{options.MaxQueuedPerReceiver} is not from 1 to 1000000");
        }

        if (options.Timeout.Value < TimeSpan.FromMilliseconds(100) || options.Timeout.Value > TimeSpan.FromMinutes(5))
        {
            Bad("Timeout", $"{options.Timeout} is not from 100ms to 5m");
        }

        if (options.RetryBackoff.Value < TimeSpan.FromMilliseconds(10))
        {
            Bad("RetryBackoff", $"{options.RetryBackoff} is shorter than the minimum of 10ms");
        }

        if (options.MaxRetryBackoff.Value < options.RetryBackoff.Value)
        {
            Bad("MaxRetryBackoff", $"{options.MaxRetryBackoff} is shorter than RetryBackoff ({options.RetryBackoff})");
        }

        if (options.PollInterval.Value < TimeSpan.FromMilliseconds(10))
        {
            Bad("PollInterval", $"{options.PollInterval} is shorter than the minimum of 10ms");
        }

        return errors;
    }

    /// <summary>The <c>Notifications</c> list as configured (empty when none).</summary>
    public static IReadOnlyList<NotificationReceiverOptions> Receivers(IConfiguration configuration) =>
        configuration.GetSection(NotificationReceiverOptions.Section).Get<List<NotificationReceiverOptions>>() ?? [];

    private static bool IsUsableBaseUrl(string text)
    {
        try
        {
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && BootScript.BaseUrl(uri).Length > 0;
        }
        catch (KtizoException)
        {
            return false;
        }
    }

    private static T Bind<T>(IConfiguration configuration, T options, IPostConfigureOptions<T>? complete)
        where T : class
    {
        configuration.Bind(options);
        complete?.PostConfigure(Options.DefaultName, options);
        return options;
    }

    private static bool Converts(Type type, string text)
    {
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Kind(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(Duration) => $"a duration (examples: {Duration.Examples})",
            var t when t == typeof(int) => "a whole number",
            var t when t == typeof(Uri) => "a URL",
            var t => $"a {t.Name}",
        };

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
