namespace Ktizo.Core.Inventory;

/// <summary>
/// approved = a device file on the tracked branch; rejected = a device file marked rejected;
/// pending = seen or registered, but not in git. Only approved devices ever receive a config.
/// </summary>
public enum DeviceStatus
{
    Pending,
    Approved,
    Rejected,
}

public static class DeviceStatuses
{
    public static string Name(this DeviceStatus status) => status switch
    {
        DeviceStatus.Approved => "approved",
        DeviceStatus.Rejected => "rejected",
        _ => "pending",
    };
}
