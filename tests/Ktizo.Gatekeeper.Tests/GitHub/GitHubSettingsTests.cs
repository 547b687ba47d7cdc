using Ktizo.Core;
using Ktizo.Gatekeeper.GitHub;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Ktizo.Gatekeeper.Tests.GitHub;

public sealed class GitHubSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-gh-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TakeFlags_MapsGitHubFlagsToTheGitHubSection_AndLeavesTheRest()
    {
        var errors = new List<string>();
        var rest = GitHubSettings.TakeFlags(
            ["--branch", "main", "--github-repository", "acme/cluster", "--github-api-url=https://ghe.example.com/api/v3", "--github-pending-label", "pending"],
            out var values,
            errors);

        Assert.Equal(["--branch", "main"], rest);
        Assert.Empty(errors);
        Assert.Equal("acme/cluster", values["GitHub:Repository"]);
        Assert.Equal("https://ghe.example.com/api/v3", values["GitHub:ApiBaseUrl"]);
        Assert.Equal("pending", values["GitHub:PendingLabel"]);
    }

    [Fact]
    public void FromEnvironment_ReadsKtizoGitHubVariables_NeverTheToken()
    {
        var values = GitHubSettings.FromEnvironment(new Dictionary<string, string>
        {
            ["KTIZO_GITHUB_REPOSITORY"] = "acme/cluster",
            ["KTIZO_GITHUB_API_URL"] = "https://ghe.example.com/api/v3/",
            ["KTIZO_GITHUB_TOKEN"] = "ghp_secret",
        });

        Assert.Equal("acme/cluster", values["GitHub:Repository"]);
        Assert.Equal("https://ghe.example.com/api/v3/", values["GitHub:ApiBaseUrl"]);
        Assert.DoesNotContain(values.Values, v => v == "ghp_secret");
    }

    [Fact]
    public void Validate_WithoutRepository_ChecksNothing()
    {
        var errors = new List<string>();
        GitHubSettings.Validate(new ConfigurationBuilder().Build(), errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_NamesEveryBadSetting_AndAddsTheMissingSlash()
    {
        var errors = new List<string>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitHub:Repository"] = "not a repository",
            ["GitHub:ApiBaseUrl"] = "https://ghe.example.com/api/v3",
            ["GitHub:PendingLabel"] = " ",
            ["GitHub:TokenFile"] = _folder.Sub("missing-token"),
        }).Build();

        var overrides = GitHubSettings.Validate(configuration, errors);

        Assert.Equal("https://ghe.example.com/api/v3/", overrides["GitHub:ApiBaseUrl"]);
        Assert.Contains(errors, e => e.StartsWith("GitHub:Repository must be 'owner/name'", StringComparison.Ordinal) && e.Contains("--github-repository, KTIZO_GITHUB_REPOSITORY", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("GitHub:PendingLabel", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("missing-token", StringComparison.Ordinal) && e.Contains("cannot be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ReportsGitHubProblemsInTheOneStartUpMessage_WithoutTheToken()
    {
        var token = _folder.Sub("token");
        File.WriteAllText(token, "ghp_neverShown");
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(
        [
            "--repository", _folder.Sub("nowhere"), "--data-folder", _folder.Sub("data"),
            "--github-repository", "acme", "--github-token-file", token,
        ]));

        Assert.Contains("The gatekeeper cannot start", error.Message);
        Assert.Contains("Repository (--repository", error.Message);
        Assert.Contains("GitHub:Repository must be 'owner/name', got 'acme'", error.Message);
        Assert.DoesNotContain("ghp_neverShown", error.Message);
    }
}
