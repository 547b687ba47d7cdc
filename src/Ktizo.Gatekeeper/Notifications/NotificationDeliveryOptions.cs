using Ktizo.Core.Settings;

namespace Ktizo.Gatekeeper.Notifications;

/// <summary>How notifications are delivered, for every receiver (the <c>NotificationDelivery</c> section; docs/gatekeeper.md).</summary>
public sealed class NotificationDeliveryOptions
{
    public const string Section = "NotificationDelivery";

    /// <summary>First sightings notified one by one per minute; the rest of that minute become one summary.</summary>
    public int FoldThreshold { get; set; } = 20;

    /// <summary>The whole of one delivery attempt, connection included.</summary>
    public Duration Timeout { get; set; } = Duration.FromSeconds(10);

    /// <summary>First wait after a failed attempt, doubling per failure in a row.</summary>
    public Duration RetryBackoff { get; set; } = Duration.FromSeconds(1);

    public Duration MaxRetryBackoff { get; set; } = Duration.FromMinutes(5);

    /// <summary>Undelivered events kept per receiver; beyond it the oldest are dropped and counted.</summary>
    public int MaxQueuedPerReceiver { get; set; } = 10_000;

    /// <summary>How often the worker looks at the queues when nothing wakes it (folds close on it too).</summary>
    public Duration PollInterval { get; set; } = Duration.FromSeconds(5);
}
