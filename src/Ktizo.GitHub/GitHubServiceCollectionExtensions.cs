using Ktizo.Core;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Ktizo.GitHub;

public static class GitHubServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GitHub integration from the <c>GitHub</c> section. Without <c>GitHub:Repository</c>
    /// it registers the null implementations and no worker: nothing else changes. With it, invalid
    /// settings fail here with one message naming each; the worker needs an <see cref="IIssueOutbox"/>
    /// (the store registers it).
    /// </summary>
    public static IServiceCollection AddKtizoGitHub(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new GitHubOptions();
        configuration.GetSection(GitHubOptions.SectionName).Bind(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PendingIssueSignal>();
        if (!options.Enabled)
        {
            services.AddSingleton<IPendingDeviceIssues, NullPendingDeviceIssues>();
            services.AddSingleton<IApprovalPullRequests, NullApprovalPullRequests>();
            return services;
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new KtizoException("GitHub settings are invalid:\n  " + string.Join("\n  ", errors));
        }

        services.AddSingleton(options);
        services.AddSingleton(sp => new GitHubRepository(options, GitHubToken.Read(options), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IPendingDeviceIssues, GitHubPendingDeviceIssues>();
        services.AddSingleton<IApprovalPullRequests, GitHubApprovalPullRequests>();
        services.AddHostedService<PendingIssueWorker>();
        return services;
    }
}
