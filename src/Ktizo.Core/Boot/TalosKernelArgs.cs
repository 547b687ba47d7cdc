using Ktizo.Core.Inventory;

namespace Ktizo.Core.Boot;

/// <summary>
/// The kernel arguments Talos boots with by default, per Talos release: what its imager puts on the command line
/// of its own images, so a network boot runs the kernel as Talos expects. From siderolabs/talos,
/// <c>pkg/machinery/kernel/kernel.go</c> (<c>DefaultArgs</c>) and the version gates in
/// <c>pkg/machinery/imager/quirks/quirks.go</c>, read at v1.11.6, v1.12.11 and v1.13.9.
/// </summary>
public static class TalosKernelArgs
{
    /// <summary>
    /// Stops a machine that network-boots while Talos is installed on its disk, instead of running Talos from the
    /// network image (<c>constants.KernelParamHaltIfInstalled</c>; Talos 1.8 and later: <c>SupportsHaltIfInstalled</c>).
    /// </summary>
    public const string HaltIfInstalled = "talos.halt_if_installed=1";

    /// <summary>The newest Talos these rules were read from; what a boot script uses while no cluster is known.</summary>
    public const string Newest = "v1.13.9";

    /// <summary>Every release since Talos 1.0 (<c>DefaultArgs</c>'s fixed list; <c>slab_nomerge=</c> prints as the bare word).</summary>
    private static readonly string[] Always =
        ["init_on_alloc=1", "slab_nomerge", "pti=on", "consoleblank=0", "nvme_core.io_timeout=4294967295", "printk.devkmsg=on"];

    /// <summary>Up to 1.10 (<c>SupportsIMA</c>: ≤ 1.10.99); Talos dropped IMA after it.</summary>
    private static readonly string[] Ima = ["ima_template=ima-ng", "ima_appraise=fix", "ima_hash=sha512"];

    /// <summary>
    /// Talos's defaults for <paramref name="talosVersion"/> (<c>v1.13.9</c>), then
    /// <see cref="HaltIfInstalled"/> where <paramref name="boot"/> asks for it and the release knows it.
    /// A version that does not parse counts as the newest, as Talos's quirks do.
    /// </summary>
    public static IReadOnlyList<string> For(string talosVersion, ClusterBoot boot)
    {
        var version = Parse(talosVersion);
        var args = new List<string>(Always);
        if (version <= new Version(1, 10, 99))
        {
            args.AddRange(Ima);
        }

        // SupportsSELinux: 1.10.0.
        if (version >= new Version(1, 10, 0))
        {
            args.Add("selinux=1");
        }

        // SupportsDisablingModuleSignatureVerification: 1.12.0 (siderolabs/talos#11989).
        if (version >= new Version(1, 12, 0))
        {
            args.Add("module.sig_enforce=1");
        }

        // ProcMemOverrideNever: 1.13.0.
        if (version >= new Version(1, 13, 0))
        {
            args.Add("proc_mem.force_override=never");
        }

        if (boot.HaltIfInstalled && version >= new Version(1, 8, 0))
        {
            args.Add(HaltIfInstalled);
        }

        return args;
    }

    private static Version Parse(string talosVersion)
    {
        var text = talosVersion.TrimStart('v');
        var end = text.IndexOfAny(['-', '+']);
        return Version.TryParse(end < 0 ? text : text[..end], out var version) && version.Build >= 0
            ? version
            : Parse(Newest);
    }
}
