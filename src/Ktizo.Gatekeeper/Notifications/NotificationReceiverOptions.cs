using Ktizo.Core.Notifications;

namespace Ktizo.Gatekeeper.Notifications;

/// <summary>
/// One outgoing webhook: an entry of the <c>Notifications</c> list (appsettings.json <c>{"Notifications": [{…}]}</c>,
/// <c>KTIZO_NOTIFICATIONS__0__URL</c>, …; docs/gatekeeper.md). The secret is never a value here: only where to read it.
/// </summary>
public sealed class NotificationReceiverOptions
{
    public const string Section = "Notifications";

    /// <summary>Where events are POSTed: an absolute http or https URL.</summary>
    public string? Url { get; set; }

    /// <summary>A file holding the signing secret (a mounted secret); wins over the variable.</summary>
    public string? SecretFile { get; set; }

    /// <summary>The environment variable holding the signing secret.</summary>
    public string? SecretEnvironmentVariable { get; set; }

    /// <summary>Comma-separated event types (<see cref="NotificationTypes.Subscribable"/>); empty: all of them.</summary>
    public string? Events { get; set; }

    /// <summary><c>json</c> (the event) or <c>slack</c> (<c>{"text": …}</c>).</summary>
    public string Format { get; set; } = NotificationPayload.Json;

    /// <summary>The event types named by <see cref="Events"/>, or every one when it is empty.</summary>
    public IReadOnlyList<string> EventList =>
        string.IsNullOrWhiteSpace(Events)
            ? NotificationTypes.Subscribable
            : [.. Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
