namespace Ktizo.Core.Inventory;

public enum Role
{
    ControlPlane,
    Worker,
}

public static class Roles
{
    /// <summary>The spelling used in device files, in template paths and in Talos's <c>machine.type</c>.</summary>
    public static string Name(this Role role) => role == Role.ControlPlane ? "controlplane" : "worker";

    public static bool TryParse(string? text, out Role role)
    {
        switch (text)
        {
            case "controlplane":
                role = Role.ControlPlane;
                return true;
            case "worker":
                role = Role.Worker;
                return true;
            default:
                role = default;
                return false;
        }
    }
}
