using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;

namespace Ktizo.Gatekeeper.Tests.GitHub;

public sealed class GitHubSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-gh-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Build_ReportsGitHubProblemsInTheOneStartUpMessage_WithoutTheToken()
    {
        var token = _folder.Sub("token");
        File.WriteAllText(token, "ghp_neverShown");
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(
        [
            "--repository", _folder.Sub("nowhere"), "--data-folder", _folder.Sub("data"),
            "--github-repository", "acme", "--github-token-file", token, "--github-pending-label", " ",
            "--github-batch-size", "many", "--github-wake-delay", "1h",
        ]));

        Assert.Contains("The gatekeeper cannot start", error.Message);
        Assert.Contains("Repository (--repository, KTIZO_REPOSITORY)", error.Message);
        Assert.Contains("GitHub:Repository (--github-repository, KTIZO_GITHUB__REPOSITORY): must be 'owner/name', got 'acme'", error.Message);
        Assert.Contains("GitHub:PendingLabel (--github-pending-label, KTIZO_GITHUB__PENDINGLABEL): must not be empty", error.Message);
        Assert.Contains("GitHub:BatchSize (--github-batch-size, KTIZO_GITHUB__BATCHSIZE): 'many' is not a whole number", error.Message);
        Assert.Contains("GitHub:WakeDelay (--github-wake-delay, KTIZO_GITHUB__WAKEDELAY): must not be longer than PollInterval (5s), got 1h", error.Message);
        Assert.DoesNotContain("ghp_neverShown", error.Message);
    }

    [Fact]
    public void Build_WithAnUnreadableTokenFile_NamesTheTokenFileSetting()
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(
        [
            "--repository", "https://example.org/r.git", "--data-folder", _folder.Sub("data"),
            "--github-repository", "acme/cluster", "--github-token-file", _folder.Sub("missing-token"),
        ]));

        Assert.Contains("GitHub:TokenFile (--github-token-file, KTIZO_GITHUB__TOKENFILE): GitHub token file", error.Message);
        Assert.Contains("cannot be read", error.Message);
    }

    [Theory]
    [InlineData("--github-api-url", "--github-api-base-url")]
    [InlineData("--github-max-open-issues", "--github-max-open-pending-issues")]
    [InlineData("--github-token-variable", "--github-token-environment-variable")]
    public void Build_WithARenamedFlag_FailsNamingTheNewOne(string old, string current)
    {
        var error = Assert.Throws<KtizoException>(() => GatekeeperApp.Build(["--repository", "https://example.org/r.git", old, "x"]));

        Assert.Contains($"{old} is not read any more: use {current} instead", error.Message);
    }
}
