using Ktizo.Core.Registry;
using Ktizo.Gatekeeper.DeviceAuth;
using Ktizo.Gatekeeper.Serving;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Gatekeeper.GitHub;

/// <summary>Wires Ktizo.GitHub into the gatekeeper (issue 4).</summary>
public static class GatekeeperGitHub
{
    /// <summary>
    /// Registers the GitHub integration from the <c>GitHub</c> section (flags and variables: <see cref="Settings.KtizoSettings"/>).
    /// Without a repository: the null implementations, no worker, no relay; nothing else changes. With one:
    /// the store's outbox as <see cref="IIssueOutbox"/> (joined with the served commit and the live device flows),
    /// the second claimants to report as <see cref="IContestOutbox"/>, the pending-issue
    /// worker, and the relay that closes issues when a synced commit decides their devices.
    /// </summary>
    public static IServiceCollection AddGatekeeperGitHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKtizoGitHub(configuration);
        if (string.IsNullOrWhiteSpace(configuration.GetSection(GitHubOptions.SectionName)["Repository"]))
        {
            return services;
        }

        services.AddSingleton(sp => SqliteIssueOutbox.Open(sp.GetRequiredService<DeviceStore>()));
        services.AddSingleton<IIssueOutbox>(sp => new ServingIssueOutbox(
            sp.GetRequiredService<SqliteIssueOutbox>(), sp.GetRequiredService<ServingState>(), sp.GetRequiredService<DeviceAuthService>(),
            sp.GetService<RuleProposalStore>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IContestOutbox>(sp => new ServingContestOutbox(
            SqliteContestOutbox.Open(sp.GetRequiredService<DeviceStore>()), sp.GetRequiredService<DeviceAuthService>()));
        services.AddSingleton<GitHubDecisionRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<GitHubDecisionRelay>());
        return services;
    }
}
