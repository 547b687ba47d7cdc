using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>Sets real process environment variables, so nothing else may run beside it.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class SettingsPrecedenceTests : IDisposable
{
    private static readonly string[] Variables = ["KTIZO_BRANCH", "KTIZO_POLLINTERVAL", "KTIZO_REPOSITORYTOKEN", "KTIZO_GITHUB__APIBASEURL", "BRANCH", "ASPNETCORE_URLS", "GitHub__PendingLabel"];
    private readonly TempFolder _folder = new("ktizo-precedence");

    public void Dispose()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        _folder.Dispose();
    }

    [Fact]
    public void Settings_FlagsBeatEnvironmentWhichBeatsAppSettings()
    {
        var appSettings = _folder.Sub("appsettings.json");
        File.WriteAllText(appSettings, """
            {"Repository": "https://github.com/o/r.git", "Branch": "from-appsettings", "PollInterval": "5m", "RateLimitPermits": 1,
             "GitHub": {"Repository": "o/r", "ApiBaseUrl": "https://from-appsettings.example/", "PendingLabel": "from-appsettings"}}
            """);
        Environment.SetEnvironmentVariable("KTIZO_BRANCH", "from-env");
        Environment.SetEnvironmentVariable("KTIZO_POLLINTERVAL", "10s");
        Environment.SetEnvironmentVariable("KTIZO_REPOSITORYTOKEN", "ghp_x");
        Environment.SetEnvironmentVariable("KTIZO_GITHUB__APIBASEURL", "https://from-env.example/api/v3/");
        var flags = SettingFlags.Parse(["--branch=from-flag", "--github-pending-label", "from-flag"], KtizoSettings.Serve);

        var configuration = new ConfigurationBuilder().AddJsonFile(appSettings).AddKtizoSettings(flags).Build();
        var options = configuration.Get<GatekeeperOptions>()!;
        var github = configuration.GetSection(GitHubOptions.SectionName).Get<GitHubOptions>()!;

        Assert.Equal("https://github.com/o/r.git", options.Repository);
        Assert.Equal("from-flag", options.Branch);
        Assert.Equal(TimeSpan.FromSeconds(10), (TimeSpan)options.PollInterval);
        Assert.Equal("ghp_x", options.RepositoryToken);
        Assert.Equal(1, options.RateLimitPermits);
        Assert.Equal("o/r", github.Repository);
        Assert.Equal(new Uri("https://from-env.example/api/v3/"), github.ApiBaseUrl);
        Assert.Equal("from-flag", github.PendingLabel);
    }

    [Fact]
    public void Build_ReadsSettingsFromKtizoVariablesOnly()
    {
        Environment.SetEnvironmentVariable("BRANCH", "from-unprefixed");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://127.0.0.1:1");
        Environment.SetEnvironmentVariable("GitHub__PendingLabel", "from-unprefixed");

        using var app = GatekeeperApp.Build(["--repository", "https://example.org/r.git", "--data-folder", _folder.Sub("data")]);
        var configuration = app.Services.GetRequiredService<IConfiguration>();

        Assert.NotEqual("from-unprefixed", configuration["Branch"]);
        Assert.NotEqual("http://127.0.0.1:1", configuration["Urls"]);
        Assert.NotEqual("from-unprefixed", configuration["GitHub:PendingLabel"]);
    }

    [Fact]
    public void Build_WithAnOldVariableSet_FailsNamingTheNewOne()
    {
        Environment.SetEnvironmentVariable("KTIZO_POLL_INTERVAL", "10s");
        try
        {
            var error = Assert.Throws<Core.KtizoException>(() => GatekeeperApp.Build(["--repository", "https://example.org/r.git", "--data-folder", _folder.Sub("data")]));

            Assert.Contains("KTIZO_POLL_INTERVAL is not read any more: set KTIZO_POLLINTERVAL instead", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KTIZO_POLL_INTERVAL", null);
        }
    }
}
