using Ktizo.Gatekeeper.Boot;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Settings;

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// The options pattern for every settings class of the gatekeeper: <see cref="GatekeeperOptions"/> bound to the
    /// configuration root and completed by <see cref="GatekeeperDefaults"/> (GitHub and Boot are bound where they are
    /// used), each checked by <paramref name="validator"/> when the host starts.
    /// </summary>
    public static IServiceCollection AddKtizoSettings(this IServiceCollection services, IConfiguration configuration, SettingsValidator validator, string currentDirectory)
    {
        services.AddOptions<GatekeeperOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<GatekeeperOptions>>(new GatekeeperDefaults(currentDirectory));
        services.AddOptions<GitHubOptions>().ValidateOnStart();
        services.AddOptions<BootOptions>().ValidateOnStart();
        services.AddOptions<NotificationDeliveryOptions>().Bind(configuration.GetSection(NotificationDeliveryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationDeliveryOptions>>(validator);
        services.AddSingleton<IValidateOptions<GatekeeperOptions>>(validator);
        services.AddSingleton<IValidateOptions<GitHubOptions>>(validator);
        services.AddSingleton<IValidateOptions<BootOptions>>(validator);
        return services;
    }
}
