namespace Ktizo.BootChain.Tests.Harness;

/// <summary>
/// What the PXE boot test needs from the machine. When something is missing the test fails and says
/// what and how to get it; it never skips.
/// </summary>
internal static class Prerequisites
{
    public const string IpxeDirectory = "/usr/lib/ipxe";
    public const string Ovmf = "/usr/share/ovmf/OVMF.fd";

    public static void Check()
    {
        var missing = new List<string>();
        if (NetNs.GetEuid() != 0)
        {
            missing.Add("root (network namespaces, taps and DHCP need it): run the tests as root");
        }

        if (!File.Exists("/dev/net/tun"))
        {
            missing.Add("/dev/net/tun (QEMU's tap): load the tun module or give the container the device");
        }

        foreach (var (command, package) in new[] { ("ip", "iproute2"), ("dnsmasq", "dnsmasq-base"), ("qemu-system-x86_64", "qemu-system-x86"), ("timeout", "coreutils"), ("git", "git") })
        {
            if (!Commands.Exists(command))
            {
                missing.Add($"{command} (Debian package {package})");
            }
        }

        foreach (var (file, package) in new[]
                 {
                     ($"{IpxeDirectory}/undionly.kpxe", "ipxe"), ($"{IpxeDirectory}/snponly.efi", "ipxe"), ($"{IpxeDirectory}/ipxe.efi", "ipxe"),
                     ("/usr/lib/ipxe/qemu/efi-virtio.rom", "ipxe-qemu"), (Ovmf, "ovmf"), ("/bin/busybox", "busybox-static"),
                 })
        {
            if (!File.Exists(file))
            {
                missing.Add($"{file} (Debian package {package})");
            }
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                "The PXE boot test cannot run on this machine; it needs: " + string.Join("; ", missing)
                + ". tests/install-deps.sh installs the packages (as root).");
        }
    }

    /// <summary>Runs assets/build-assets.sh (cached: a no-op when nothing changed) and returns the folder.</summary>
    public static string BuildAssets(string repositoryRoot)
    {
        var script = Path.Combine(repositoryRoot, "tests", "Ktizo.BootChain.Tests", "assets", "build-assets.sh");
        var output = Commands.Run("bash", script).Trim();
        var folder = output.Split('\n')[^1].Trim();
        if (!File.Exists(Path.Combine(folder, "vmlinuz")) || !File.Exists(Path.Combine(folder, "initramfs.xz")))
        {
            throw new InvalidOperationException($"build-assets.sh did not produce vmlinuz and initramfs.xz in '{folder}'");
        }

        return folder;
    }
}
