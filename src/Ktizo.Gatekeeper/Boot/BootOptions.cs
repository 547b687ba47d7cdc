using Ktizo.Core.Boot;
using Ktizo.Core.Inventory;

namespace Ktizo.Gatekeeper.Boot;

/// <summary>
/// Settings of the boot endpoints (<c>/boot.ipxe</c>, <c>/talos/{file}</c>), configuration section <c>Boot</c>.
/// </summary>
public sealed class BootOptions
{
    public const string Section = "Boot";

    /// <summary>
    /// The URL machines reach the gatekeeper at, e.g. <c>http://10.0.5.2:8000</c>; <c>boot.ipxe</c> points
    /// kernel, initramfs and <c>talos.config</c> here. When unset, the gatekeeper's own
    /// <c>PublicBaseUrl</c> (<c>--public-base-url</c>) is used, and without that the scheme of the request
    /// for <c>boot.ipxe</c> and the address its connection arrived at (<see cref="RequestAuthority"/>),
    /// which is right unless a proxy or NAT sits in between.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The folder holding <c>vmlinuz</c> and <c>initramfs.xz</c> (Talos's release assets). Unset, the
    /// gatekeeper serves no assets (<c>/talos/…</c> answers 404): the kernel comes from elsewhere.
    /// </summary>
    public string? AssetsPath { get; set; }

    public const string DefaultConsoleArgs = "console=tty0";

    /// <summary>Console arguments; the last <c>console=</c> is where Talos writes its log.</summary>
    public string ConsoleArgs { get; set; } = DefaultConsoleArgs;

    /// <summary>
    /// Kernel arguments, space-separated, in place of Talos's own defaults. Unset (the default), the script carries
    /// Talos's defaults for the served cluster's <c>talosVersion</c> (<see cref="TalosKernelArgs"/>).
    /// </summary>
    public string? KernelArgs { get; set; }

    /// <summary>
    /// Console arguments, then <see cref="KernelArgs"/> or Talos's defaults for <paramref name="cluster"/>'s version,
    /// then <c>talos.halt_if_installed=1</c> unless the cluster's <c>boot.haltIfInstalled</c> is false. Without a
    /// cluster (no render loaded yet) the newest Talos Ktizo knows, halting.
    /// </summary>
    internal IEnumerable<string> AllKernelArgs(Cluster? cluster)
    {
        var boot = cluster?.Boot ?? ClusterBoot.Default;
        var talos = TalosKernelArgs.For(cluster?.TalosVersion ?? TalosKernelArgs.Newest, boot);
        var args = KernelArgs is null
            ? talos
            : [.. Words(KernelArgs), .. talos.Where(a => a == TalosKernelArgs.HaltIfInstalled)];
        return [.. Words(ConsoleArgs), .. args];
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
