using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// Outgoing webhooks (docs/gatekeeper.md, Notifications): the <see cref="Notifier"/> every event goes through and the
    /// worker that delivers them. Without receivers the notifier does nothing and the worker ends at once. The settings
    /// were checked by <see cref="SettingsValidator"/> before this runs.
    /// </summary>
    public static IServiceCollection AddGatekeeperNotifications(this IServiceCollection services, IConfiguration configuration, Func<string, string?> environment)
    {
        var receivers = SettingsValidator.Receivers(configuration);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<NotificationDeliveryOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var delivery = sp.GetRequiredService<NotificationDeliveryOptions>();
            var store = sp.GetRequiredService<DeviceStore>();
            var resolved = NotificationReceiver.From(receivers, environment);
            return new Notifier(
                resolved,
                resolved.Count > 0 ? NotificationOutbox.Open(store, delivery.MaxQueuedPerReceiver, sp.GetRequiredService<TimeProvider>()) : null,
                store,
                delivery,
                sp.GetRequiredService<ServingState>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<Notifier>>());
        });
        services.AddSingleton<NotificationWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationWorker>());
        return services;
    }
}
