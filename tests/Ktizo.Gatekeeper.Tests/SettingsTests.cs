using Ktizo.Core;
using Ktizo.Core.Settings;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Tests;

public sealed class SettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Defaults_WithNothingSet_InACheckout_ServeThatCheckoutsCurrentBranchOnPort8000()
    {
        Directory.CreateDirectory(_folder.Sub(".git"));
        File.WriteAllText(_folder.Sub(".git/HEAD"), "ref: refs/heads/feature/x\n");
        var inside = Directory.CreateDirectory(_folder.Sub("docs")).FullName;

        var options = Complete(new GatekeeperOptions(), inside);

        Assert.Equal(_folder.Path, options.Repository);
        Assert.Equal("feature/x", options.Branch);
        Assert.Equal(Path.Combine(inside, "data"), options.DataFolder);
        Assert.Equal(["http://0.0.0.0:8000"], options.ListenUrls);
        Assert.Equal(TimeSpan.FromSeconds(30), (TimeSpan)options.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), (TimeSpan)options.RenderBudget);
        Assert.Equal(300, options.RateLimitPermits);
        Assert.Null(options.WebhookSecret);
        Assert.Null(options.AdminToken);
        Assert.Empty(SettingsValidator.Problems(options));
    }

    [Fact]
    public void Defaults_InAGitWorktree_FollowTheGitdirPointerToTheBranch()
    {
        var gitDir = Directory.CreateDirectory(_folder.Sub("main/.git/worktrees/wt")).FullName;
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), "ref: refs/heads/gatekeeper\n");
        var worktree = Directory.CreateDirectory(_folder.Sub("wt")).FullName;
        File.WriteAllText(Path.Combine(worktree, ".git"), $"gitdir: {gitDir}\n");

        Assert.Equal("gatekeeper", Complete(new GatekeeperOptions(), worktree).Branch);
    }

    [Fact]
    public void Check_WithEveryValueBad_NamesEverySettingInOneList()
    {
        var configuration = Configuration(new Dictionary<string, string?>
        {
            ["Repository"] = "ftp://example.org/repo.git", ["Branch"] = "bad..name", ["PollInterval"] = "soon", ["RenderBudget"] = "500ms",
            ["Urls"] = "localhost:8000", ["PublicBaseUrl"] = "not a url", ["WebhookSecret"] = "short",
            ["AdminToken"] = "short", ["RateLimitPermits"] = "-1", ["RateLimitWindow"] = "0s", ["StoreFlushInterval"] = "1ms",
            ["GitHub:Repository"] = "acme", ["GitHub:MaxDigestEntries"] = "0", ["GitHub:FailureBackoff"] = "later",
            ["Boot:AssetsPath"] = _folder.Sub("missing"),
        });

        var errors = string.Join('\n', new SettingsValidator(_ => "ghp_token").Check(configuration, KtizoSettings.Serve, _folder.Path));

        foreach (var expected in new[]
        {
            "Repository (--repository, KTIZO_REPOSITORY): 'ftp://example.org/repo.git' is not an https, ssh, git or file URL",
            "Branch (--branch, KTIZO_BRANCH): 'bad..name' is not a valid branch name",
            "PollInterval (--poll-interval, KTIZO_POLLINTERVAL): 'soon' is not a duration",
            "RenderBudget (--render-budget, KTIZO_RENDERBUDGET): 500ms is shorter than the minimum of 1s",
            "Urls (--urls, KTIZO_URLS)", "PublicBaseUrl (--public-base-url, KTIZO_PUBLICBASEURL)",
            "WebhookSecret (--webhook-secret, KTIZO_WEBHOOKSECRET)", "AdminToken (--admin-token, KTIZO_ADMINTOKEN)",
            "RateLimitPermits (--rate-limit-permits, KTIZO_RATELIMITPERMITS)",
            "RateLimitWindow (--rate-limit-window, KTIZO_RATELIMITWINDOW): 0s is shorter than the minimum of 1s",
            "StoreFlushInterval (--store-flush-interval, KTIZO_STOREFLUSHINTERVAL)",
            "GitHub:Repository (--github-repository, KTIZO_GITHUB__REPOSITORY)",
            "GitHub:MaxDigestEntries (--github-max-digest-entries, KTIZO_GITHUB__MAXDIGESTENTRIES)",
            "GitHub:FailureBackoff (--github-failure-backoff, KTIZO_GITHUB__FAILUREBACKOFF): 'later' is not a duration",
            "Boot:AssetsPath (--boot-assets-path, KTIZO_BOOT__ASSETSPATH)",
        })
        {
            Assert.Contains(expected, errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Host_ValidatesOnStart_WithTheSameValidator()
    {
        var services = new ServiceCollection();
        var configuration = Configuration(new Dictionary<string, string?> { ["Repository"] = "https://example.org/r.git", ["AdminToken"] = "short" });
        services.AddKtizoSettings(configuration, new SettingsValidator(_ => null), _folder.Path);
        services.AddOptions<GitHubOptions>();
        services.AddOptions<Gatekeeper.Boot.BootOptions>();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GatekeeperOptions>>().Value);

        Assert.Equal(["AdminToken (--admin-token, KTIZO_ADMINTOKEN): shorter than 16 characters"], error.Failures);
    }

    [Fact]
    public void Check_WithTheOldKtizoSection_NamesTheRootKey()
    {
        var errors = new SettingsValidator(_ => null).Check(
            Configuration(new Dictionary<string, string?> { ["Repository"] = "https://example.org/r.git", ["Ktizo:PollInterval"] = "10s" }),
            KtizoSettings.Serve,
            _folder.Path);

        Assert.Equal(["the appsettings.json key Ktizo:PollInterval is not read any more: set PollInterval instead"], errors);
    }

    [Fact]
    public void Check_WithAnOldVariable_NamesTheNewOne_ButNotTheTokenVariable()
    {
        var environment = new Dictionary<string, string>
        {
            ["KTIZO_POLL_INTERVAL"] = "10s",
            ["KTIZO_GITHUB_API_URL"] = "https://ghe.example.com/api/v3/",
            ["KTIZO_GITHUB_TOKEN"] = "ghp_x",
            ["KTIZO_TALOS_REFERENCE"] = "/somewhere",
        };

        var errors = new SettingsValidator(environment.GetValueOrDefault).Check(
            Configuration(new Dictionary<string, string?> { ["Repository"] = "https://example.org/r.git" }), KtizoSettings.Serve, _folder.Path);

        Assert.Equal(
            [
                "KTIZO_POLL_INTERVAL is not read any more: set KTIZO_POLLINTERVAL instead",
                "KTIZO_GITHUB_API_URL is not read any more: set KTIZO_GITHUB__APIBASEURL instead",
            ],
            errors);
    }

    [Theory]
    [InlineData("git@github.com:owner/repo.git")]
    [InlineData("ssh://git@github.com/owner/repo.git")]
    [InlineData("https://github.com/owner/repo.git")]
    [InlineData("file:///srv/git/repo.git")]
    [InlineData("git://127.0.0.1/repo.git")]
    public void Defaults_AcceptEveryRemoteKind_OnMain(string repository)
    {
        var options = Complete(new GatekeeperOptions { Repository = repository }, _folder.Path);

        Assert.Equal(repository, options.Repository);
        Assert.Equal("main", options.Branch);
        Assert.Empty(SettingsValidator.Problems(options));
    }

    [Fact]
    public void Problems_WhenUrlCarriesAPassword_AskForTheTokenSettingInstead()
    {
        var options = Complete(new GatekeeperOptions { Repository = "https://x:ghp_secret@github.com/o/r.git" }, _folder.Path);

        Assert.Contains(SettingsValidator.Problems(options), e => e.Contains("RepositoryToken (--repository-token, KTIZO_REPOSITORYTOKEN)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    [InlineData("00:00:45", 45)]
    [InlineData("30d", 2_592_000)]
    public void Duration_ReadsWhatPeopleWrite(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value.Value);
    }

    [Theory]
    [InlineData("ViewerToken", "short", "shorter than 16 characters")]
    [InlineData("PendingRetention", "10m", "shorter than the minimum of 1h (0 turns pruning off)")]
    public void Validator_RefusesAShortViewerTokenAndRetention(string key, string value, string problem)
    {
        var options = Complete(new GatekeeperOptions { Repository = _folder.Path, Branch = "main" }, _folder.Path);
        if (key == "ViewerToken")
        {
            options.ViewerToken = value;
        }
        else
        {
            options.PendingRetention = Duration.Parse(value);
        }

        Assert.Contains(SettingsValidator.Problems(options), e => e.StartsWith($"{key} (", StringComparison.Ordinal) && e.EndsWith(problem, StringComparison.Ordinal));
        options.PendingRetention = Duration.Zero;
        options.ViewerToken = null;
        Assert.DoesNotContain(SettingsValidator.Problems(options), e => e.StartsWith($"{key} (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing", null, "AgeIdentityFile", "is not an existing file")]
    [InlineData("exists", "/run/secrets.yaml", "AgeIdentityFile", "set together with SecretsFile: choose one place for the secrets bundle (docs/secrets.md)")]
    [InlineData("../outside.age", null, "SecretsAgeFile", "is not a relative path inside the repository (forward slashes, no '..')")]
    [InlineData("/abs.age", null, "SecretsAgeFile", "is not a relative path inside the repository (forward slashes, no '..')")]
    public void Validator_RefusesAnUnusableAgeSetup(string identityOrPath, string? secretsFile, string key, string problem)
    {
        var options = Complete(new GatekeeperOptions { Repository = _folder.Path, Branch = "main", SecretsFile = secretsFile }, _folder.Path);
        var identity = Path.Combine(_folder.Path, "identity.txt");
        File.WriteAllText(identity, "");
        options.AgeIdentityFile = identityOrPath == "missing" ? Path.Combine(_folder.Path, "no-such.txt") : identity;
        if (key == "SecretsAgeFile")
        {
            options.SecretsAgeFile = identityOrPath;
        }

        Assert.Contains(SettingsValidator.Problems(options), e => e.StartsWith($"{key} (", StringComparison.Ordinal) && e.EndsWith(problem, StringComparison.Ordinal));
        options.SecretsFile = null;
        options.AgeIdentityFile = identity;
        options.SecretsAgeFile = "secrets/bundle.yaml.age";
        Assert.DoesNotContain(SettingsValidator.Problems(options), e => e.StartsWith($"{key} (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5 parsecs")]
    public void Duration_RefusesTheRest(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void Table_EverySettableOptionIsDeclared_WithItsRealDefault()
    {
        foreach (var type in new[] { typeof(GatekeeperOptions), typeof(GitHubOptions), typeof(Gatekeeper.Boot.BootOptions) })
        {
            var declared = KtizoSettings.Serve.Where(s => s.Options == type).Select(s => s.Property);
            Assert.Equal(type.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order(), declared.Order());
        }

        // Where the default is a value (not prose such as "from the request"), the table says the real one.
        foreach (var setting in KtizoSettings.Serve)
        {
            var value = setting.Options.GetProperty(setting.Property)!.GetValue(Activator.CreateInstance(setting.Options));
            if (Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text && !text.Contains(' ', StringComparison.Ordinal))
            {
                Assert.Equal(text, setting.Default);
            }
        }
    }

    [Fact]
    public void Build_WithABadSetting_ThrowsBeforeListening()
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(["--repository", _folder.Path, "--branch", "main", "--poll-interval", "never"]));

        Assert.Contains("PollInterval (--poll-interval, KTIZO_POLLINTERVAL): 'never' is not a duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithAnUnknownFlag_NamesIt()
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(["--repository", _folder.Path, "--bogus", "x"]));

        Assert.Contains("--bogus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WhenAnotherGatekeeperHoldsTheDataFolder_RefusesToStart_UntilItIsGone()
    {
        string[] args = ["--repository", _folder.Path, "--branch", "main", "--data-folder", _folder.Sub("data"), "--urls", "http://127.0.0.1:0"];
        var first = GatekeeperApp.Build(args);

        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(args));
        Assert.Contains("in use by another gatekeeper", error.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        await using var second = GatekeeperApp.Build(args);
    }

    [Fact]
    public async Task Build_ByDefault_SilencesHostingDiagnosticsSoNoRequestStartsAnActivity()
    {
        string[] args = ["--repository", _folder.Path, "--branch", "main", "--data-folder", _folder.Sub("data"), "--urls", "http://127.0.0.1:0"];
        await using var app = GatekeeperApp.Build(args);
        var logs = app.Services.GetRequiredService<ILoggerFactory>();

        // Hosting creates a per-request Activity and scope whenever this category logs at any level.
        Assert.False(logs.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(logs.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Error));
        Assert.True(logs.CreateLogger(typeof(Http.ConfigDownloadHandler).FullName!).IsEnabled(LogLevel.Information));
    }

    private static GatekeeperOptions Complete(GatekeeperOptions options, string currentDirectory)
    {
        new GatekeeperDefaults(currentDirectory).PostConfigure(Options.DefaultName, options);
        return options;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
