namespace Ktizo.Core.DeviceAuth;

/// <summary>
/// How a device's config download is authenticated (<c>deviceAuth:</c> in cluster.yaml, a device file may
/// override). docs/device-auth.md describes each mode.
/// </summary>
public enum DeviceAuthMode
{
    /// <summary>The MAC alone decides (the behaviour before device auth).</summary>
    Off,

    /// <summary>A token is issued only to the flow whose user code an administrator confirmed.</summary>
    Confirm,

    /// <summary>Trust on first use: the single live claimant of a never-issued MAC gets the token; anything else needs a confirmation.</summary>
    First,
}

public static class DeviceAuthModes
{
    public static readonly string[] Names = ["off", "confirm", "first"];

    public static bool TryParse(string text, out DeviceAuthMode mode)
    {
        mode = text switch
        {
            "off" => DeviceAuthMode.Off,
            "confirm" => DeviceAuthMode.Confirm,
            "first" => DeviceAuthMode.First,
            _ => (DeviceAuthMode)(-1),
        };
        return mode >= 0;
    }

    public static string Name(this DeviceAuthMode mode) => Names[(int)mode];
}
