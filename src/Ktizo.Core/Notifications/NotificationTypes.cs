namespace Ktizo.Core.Notifications;

/// <summary>The events an outgoing webhook can ask for (docs/gatekeeper.md, Notifications). A spelling, once released, never changes.</summary>
public static class NotificationTypes
{
    /// <summary>A machine the served commit does not decide was seen for the first time.</summary>
    public const string DevicePending = "device.pending";

    /// <summary>More first sightings in one minute than the fold threshold: the rest of that minute, as one event.</summary>
    public const string DevicePendingSummary = "device.pending.summary";

    public const string DeviceApproved = "device.approved";

    public const string DeviceRejected = "device.rejected";

    /// <summary>A commit on the tracked branch did not validate or render; it is not served.</summary>
    public const string CommitFailed = "commit.failed";

    /// <summary>A config download refused for lack of the bearer token issued for its MAC (deviceAuth).</summary>
    public const string ClaimRefused = "claim.refused";

    /// <summary>What a receiver may name in its events filter; a summary goes wherever <see cref="DevicePending"/> goes.</summary>
    public static readonly IReadOnlyList<string> Subscribable = [DevicePending, DeviceApproved, DeviceRejected, CommitFailed, ClaimRefused];

    /// <summary>The filter name that selects <paramref name="type"/>.</summary>
    public static string FilterOf(string type) => type == DevicePendingSummary ? DevicePending : type;
}
