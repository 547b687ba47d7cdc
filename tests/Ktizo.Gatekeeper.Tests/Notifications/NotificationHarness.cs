using Ktizo.Core.Settings;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Tests.Notifications;

/// <summary>
/// Puts receivers into a test gatekeeper: the list as the settings would bind it, read by the same
/// <see cref="NotificationReceiver.From"/>, with fast retries so a test never sleeps long.
/// </summary>
internal static class NotificationHarness
{
    public const string SecretVariable = "KTIZO_TEST_HOOK_SECRET";
    public const string Secret = "hook-secret-0123456789abcdef";

    public static NotificationDeliveryOptions Fast(int foldThreshold = 20) => new()
    {
        FoldThreshold = foldThreshold,
        Timeout = Duration.FromSeconds(5),
        RetryBackoff = Duration.FromMilliseconds(20),
        MaxRetryBackoff = Duration.FromMilliseconds(200),
        PollInterval = Duration.FromMilliseconds(100),
    };

    public static NotificationReceiverOptions Json(Uri url, string? events = null) =>
        new() { Url = url.ToString(), SecretEnvironmentVariable = SecretVariable, Events = events };

    public static Action<IServiceCollection> Services(NotificationDeliveryOptions delivery, TimeProvider? clock, params NotificationReceiverOptions[] receivers) =>
        services =>
        {
            Assert.Empty(NotificationReceiver.Problems(receivers, Environment));
            services.AddSingleton(delivery);
            services.AddSingleton(sp =>
            {
                var store = sp.GetRequiredService<DeviceStore>();
                return new Notifier(
                    NotificationReceiver.From(receivers, Environment),
                    NotificationOutbox.Open(store, delivery.MaxQueuedPerReceiver),
                    store,
                    delivery,
                    sp.GetRequiredService<ServingState>(),
                    clock ?? TimeProvider.System,
                    sp.GetRequiredService<ILogger<Notifier>>());
            });
        };

    private static string? Environment(string name) => name == SecretVariable ? Secret : null;
}
