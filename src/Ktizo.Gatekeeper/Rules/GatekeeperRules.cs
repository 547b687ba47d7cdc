using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Git;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>Wires the approval rules (docs/rules.md) into the gatekeeper.</summary>
public static class GatekeeperRules
{
    /// <summary>
    /// The rules worker and how it proposes: through GitHub when <c>GitHub:Repository</c> is set; else through the served
    /// repository itself when it is a folder on this machine; else not at all (the rules are still validated with every
    /// commit). There is no switch of its own: a repository without <c>inventory/rules.yaml</c>, or with an empty list,
    /// has no rules, and turning them off is a commit like any other decision.
    /// </summary>
    public static IServiceCollection AddGatekeeperRules(this IServiceCollection services, GatekeeperOptions options)
    {
        services.AddSingleton<RuleSignal>();
        services.AddSingleton(sp => RuleProposalStore.Open(sp.GetRequiredService<DeviceStore>()));
        services.AddSingleton<IRuleProposer>(sp =>
        {
            if (sp.GetService<GitHubRepository>() is { } repo)
            {
                var merges = new PullRequestMerges(repo, sp.GetRequiredService<ILogger<PullRequestMerges>>());
                return ActivatorUtilities.CreateInstance<GitHubRuleProposer>(sp, merges);
            }

            return LocalProposals.For(options.Repository, options.Branch) is { } local
                ? ActivatorUtilities.CreateInstance<LocalRuleProposer>(sp, local)
                : new UnavailableRuleProposer($"the repository {options.Repository} is not a folder on this machine and GitHub is not configured");
        });
        services.AddSingleton<RulesWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RulesWorker>());
        return services;
    }
}
