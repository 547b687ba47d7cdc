namespace Ktizo.Gatekeeper.Boot;

/// <summary>
/// Settings of the boot endpoints (<c>/boot.ipxe</c>, <c>/talos/{file}</c>), configuration section <c>Boot</c>.
/// </summary>
public sealed class BootOptions
{
    public const string Section = "Boot";

    /// <summary>
    /// Talos's own kernel arguments for bare metal (what its image factory puts on a metal boot), after
    /// <c>talos.platform=metal</c>.
    /// </summary>
    public const string TalosKernelArgs =
        "init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512";

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

    /// <summary>Further kernel arguments, space-separated.</summary>
    public string KernelArgs { get; set; } = TalosKernelArgs;

    internal IEnumerable<string> AllKernelArgs() =>
        $"{ConsoleArgs} {KernelArgs}".Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
