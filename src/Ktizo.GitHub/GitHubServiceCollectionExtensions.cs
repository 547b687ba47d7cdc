using Ktizo.Core.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ktizo.GitHub;

public static class GitHubServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GitHub integration from the <c>GitHub</c> section, as <see cref="IOptions{GitHubOptions}"/>
    /// and as the bound <see cref="GitHubOptions"/> itself. Without <c>GitHub:Repository</c> it registers the
    /// null implementations and no worker: nothing else changes. The host checks the settings (the gatekeeper's
    /// one settings validator, at start); the worker needs an <see cref="IIssueOutbox"/> (the store registers it).
    /// </summary>
    public static IServiceCollection AddKtizoGitHub(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(GitHubOptions.SectionName);
        services.AddOptions<GitHubOptions>().Bind(section);
        var options = section.Get<GitHubOptions>() ?? new GitHubOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PendingIssueSignal>();
        services.TryAddSingleton<GitHubHealth>();
        if (!options.Enabled)
        {
            services.AddSingleton<IPendingDeviceIssues, NullPendingDeviceIssues>();
            services.AddSingleton<IApprovalPullRequests, NullApprovalPullRequests>();
            return services;
        }

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GitHubOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var bound = sp.GetRequiredService<GitHubOptions>();
            return new GitHubRepository(bound, GitHubToken.Read(bound), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<GitHubHealth>());
        });
        services.AddSingleton<IPendingDeviceIssues, GitHubPendingDeviceIssues>();
        services.AddSingleton<IApprovalPullRequests, GitHubApprovalPullRequests>();
        services.AddHostedService<PendingIssueWorker>();
        return services;
    }
}
