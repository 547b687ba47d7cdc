using System.CommandLine;
using Ktizo.Core;
using Ktizo.Gatekeeper.Settings;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ktizo.Cli.Approval;

/// <summary>
/// The GitHub connection of <c>approve --pr</c>, <c>reject --pr</c> and <c>pr-comment</c>, on the gatekeeper's
/// settings model: the <see cref="KtizoSettings.GitHubConnection"/> settings as flags, <c>KTIZO_GITHUB__…</c>
/// variables and the <c>GitHub</c> section of appsettings.json, checked by the same validator. The token is read
/// from the variable or file they name, never from a flag (shell history, process lists), and never printed.
/// </summary>
public sealed class GitHubSettings
{
    public static IReadOnlyList<Setting> Settings => KtizoSettings.GitHubConnection;

    public void AddTo(Command command) => SettingFlags.AddTo(command, Settings);

    /// <summary>A connected client, or a <see cref="KtizoException"/> naming every missing or bad setting.</summary>
    public IApprovalPullRequests Connect(ParseResult parse, CliConsole console)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddKtizoSettings(SettingFlags.Values(parse, Settings))
            .Build();
        var validator = new SettingsValidator(console.GetEnvironment);
        // Every key of the section is checked (each binds), though only the connection's have flags here.
        var errors = validator.Check(configuration, KtizoSettings.GitHub, Directory.GetCurrentDirectory());
        var options = configuration.GetSection(GitHubOptions.SectionName).Get<GitHubOptions>() ?? new GitHubOptions();
        if (errors.Count == 0 && !options.Enabled)
        {
            var repository = KtizoSettings.Find("GitHub:Repository");
            throw new KtizoException($"GitHub is not configured: pass {repository.Flag} owner/name or set {repository.EnvironmentVariable}, and put the token in KTIZO_GITHUB_TOKEN or a {KtizoSettings.Find("GitHub:TokenFile").Flag}.");
        }

        SettingsValidator.ThrowIfAny(errors, "GitHub cannot be used; fix these settings:");
        var token = GitHubToken.Read(options, console.GetEnvironment);
        var repo = new GitHubRepository(options, token, TimeProvider.System, NullLoggerFactory.Instance);
        return new GitHubApprovalPullRequests(repo, NullLogger<GitHubApprovalPullRequests>.Instance);
    }
}
