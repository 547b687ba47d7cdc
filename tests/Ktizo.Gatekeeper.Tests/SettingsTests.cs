using Ktizo.Core;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Tests;

public sealed class SettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_WithNothingSet_InACheckout_ServesThatCheckoutsCurrentBranchOnPort8000()
    {
        Directory.CreateDirectory(_folder.Sub(".git"));
        File.WriteAllText(_folder.Sub(".git/HEAD"), "ref: refs/heads/feature/x\n");
        var inside = Directory.CreateDirectory(_folder.Sub("docs")).FullName;

        var options = GatekeeperSettings.Read(Configuration(), inside);

        Assert.Equal(_folder.Path, options.Repository);
        Assert.Equal("feature/x", options.Branch);
        Assert.Equal(Path.Combine(inside, "data"), options.DataFolder);
        Assert.Equal(["http://0.0.0.0:8000"], options.Urls);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PollInterval);
        Assert.Equal(300, options.RateLimitPermits);
        Assert.Null(options.WebhookSecret);
        Assert.Null(options.AdminToken);
    }

    [Fact]
    public void Read_InAGitWorktree_FollowsTheGitdirPointerToTheBranch()
    {
        var gitDir = Directory.CreateDirectory(_folder.Sub("main/.git/worktrees/wt")).FullName;
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), "ref: refs/heads/gatekeeper\n");
        var worktree = Directory.CreateDirectory(_folder.Sub("wt")).FullName;
        File.WriteAllText(Path.Combine(worktree, ".git"), $"gitdir: {gitDir}\n");

        var options = GatekeeperSettings.Read(Configuration(), worktree);

        Assert.Equal("gatekeeper", options.Branch);
    }

    [Fact]
    public void Read_WithEveryValueBad_NamesEverySettingInOneMessage()
    {
        var errors = new List<string>();
        var flags = GatekeeperSettings.ParseFlags(
            [
                "--repository", "ftp://example.org/repo.git", "--branch", "bad..name", "--poll-interval", "soon",
                "--urls", "localhost:8000", "--public-base-url", "not a url", "--webhook-secret", "short",
                "--admin-token", "short", "--rate-limit-permits", "-1", "--rate-limit-window", "0s",
                "--store-flush-interval", "1ms", "--bogus", "x", "--data-folder",
            ],
            errors);

        var error = Assert.Throws<KtizoException>(() => GatekeeperSettings.Read(Configuration(flags), _folder.Path, errors));

        foreach (var expected in new[]
        {
            "Repository (--repository, KTIZO_REPOSITORY)", "Branch (--branch, KTIZO_BRANCH)",
            "PollInterval (--poll-interval, KTIZO_POLL_INTERVAL): 'soon' is not a duration",
            "Urls (--urls, KTIZO_URLS)", "PublicBaseUrl (--public-base-url, KTIZO_PUBLIC_BASE_URL)",
            "WebhookSecret (--webhook-secret, KTIZO_WEBHOOK_SECRET)", "AdminToken (--admin-token, KTIZO_ADMIN_TOKEN)",
            "RateLimitPermits (--rate-limit-permits, KTIZO_RATE_LIMIT_PERMITS)",
            "RateLimitWindow (--rate-limit-window, KTIZO_RATE_LIMIT_WINDOW)",
            "StoreFlushInterval (--store-flush-interval, KTIZO_STORE_FLUSH_INTERVAL)",
            "'--bogus': unknown argument", "--data-folder: needs a value",
        })
        {
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        Assert.StartsWith("The gatekeeper cannot start; fix these settings:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FlagsBeatEnvironmentWhichBeatsAppSettings()
    {
        var appSettings = new Dictionary<string, string?>
        {
            ["Ktizo:Repository"] = "https://github.com/o/r.git",
            ["Ktizo:PollInterval"] = "5m",
            ["Ktizo:Branch"] = "from-appsettings",
            ["Ktizo:RateLimitPermits"] = "1",
        };
        var environment = GatekeeperSettings.FromEnvironment(new System.Collections.Hashtable
        {
            ["KTIZO_POLL_INTERVAL"] = "10s",
            ["KTIZO_BRANCH"] = "from-env",
            ["KTIZO_REPOSITORY_TOKEN"] = "ghp_x",
            ["UNRELATED"] = "1",
        });
        var flags = GatekeeperSettings.ParseFlags(["--branch=from-flag"], []);

        var options = GatekeeperSettings.Read(Configuration(appSettings, environment, flags), _folder.Path);

        Assert.Equal("https://github.com/o/r.git", options.Repository);
        Assert.Equal("from-flag", options.Branch);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PollInterval);
        Assert.Equal("ghp_x", options.RepositoryToken);
        Assert.Equal(1, options.RateLimitPermits);
        Assert.DoesNotContain(environment.Keys, k => k.Contains("UNRELATED", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("git@github.com:owner/repo.git")]
    [InlineData("ssh://git@github.com/owner/repo.git")]
    [InlineData("https://github.com/owner/repo.git")]
    [InlineData("file:///srv/git/repo.git")]
    [InlineData("git://127.0.0.1/repo.git")]
    public void Read_AcceptsEveryRemoteKind(string repository)
    {
        var options = GatekeeperSettings.Read(Configuration(new Dictionary<string, string?> { ["Ktizo:Repository"] = repository }), _folder.Path);

        Assert.Equal(repository, options.Repository);
        Assert.Equal("main", options.Branch);
    }

    [Fact]
    public void Read_WhenUrlCarriesAPassword_AsksForTheTokenSettingInstead()
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperSettings.Read(
            Configuration(new Dictionary<string, string?> { ["Ktizo:Repository"] = "https://x:ghp_secret@github.com/o/r.git" }), _folder.Path));

        Assert.Contains("KTIZO_REPOSITORY_TOKEN", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    [InlineData("00:00:45", 45)]
    public void TryParseDuration_ReadsWhatPeopleWrite(string text, double seconds)
    {
        Assert.True(GatekeeperSettings.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5 parsecs")]
    public void TryParseDuration_RefusesTheRest(string text) => Assert.False(GatekeeperSettings.TryParseDuration(text, out _));

    [Fact]
    public void Build_WithABadSetting_ThrowsBeforeListening()
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(["--repository", _folder.Path, "--branch", "main", "--poll-interval", "never"]));

        Assert.Contains("PollInterval", error.Message, StringComparison.Ordinal);
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

    private static IConfiguration Configuration(params Dictionary<string, string?>[] layers)
    {
        var builder = new ConfigurationBuilder();
        foreach (var layer in layers)
        {
            builder.AddInMemoryCollection(layer);
        }

        return builder.Build();
    }
}
