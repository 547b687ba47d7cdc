using System.Text.RegularExpressions;

namespace Ktizo.BootChain.Tests.Harness;

public enum Firmware
{
    /// <summary>SeaBIOS; QEMU's NIC option ROM is iPXE, so the TFTP leg is skipped.</summary>
    Bios,

    /// <summary>OVMF with a NIC without option ROM: firmware PXE, TFTP snponly.efi, then iPXE.</summary>
    Uefi,
}

/// <summary>A QEMU machine (software emulation) on the lab's bridge, with its serial console in a file.</summary>
public sealed class Vm
{
    private Vm(Daemon process, string serial, string name)
    {
        Process = process;
        Serial = serial;
        Name = name;
    }

    public string Name { get; }

    public string Serial { get; }

    internal Daemon Process { get; }

    internal static Vm Start(BootLab lab, string name, Firmware firmware, string mac, string uuid, string tap)
    {
        var serial = Path.Combine(lab.Work, $"serial-{name}.log");
        // Always TCG: /dev/kvm here is a shim and real KVM guests triple-fault.
        List<string> args =
        [
            "netns", "exec", lab.Namespace, "timeout", "300", "qemu-system-x86_64", "-accel", "tcg", "-m", "512",
            "-nographic", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", $"file:{serial}",
            "-uuid", uuid, "-netdev", $"tap,id=n0,ifname={tap},script=no,downscript=no",
        ];
        if (firmware == Firmware.Bios)
        {
            args.AddRange(["-machine", "pc", "-boot", "n", "-device", $"virtio-net-pci,netdev=n0,mac={mac}"]);
        }
        else
        {
            args.AddRange(["-machine", "q35", "-bios", Prerequisites.Ovmf, "-device", $"virtio-net-pci,netdev=n0,mac={mac},romfile=,bootindex=0"]);
        }

        return new Vm(Daemon.Start(Path.Combine(lab.Work, $"qemu-{name}.out"), "ip", args), serial, name);
    }

    /// <summary>The stand-in's report lines ("STANDIN …") printed so far.</summary>
    public IReadOnlyList<string> Reports()
    {
        if (!File.Exists(Serial))
        {
            return [];
        }

        using var stream = new FileStream(Serial, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("STANDIN ", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Waits for a report line matching <paramref name="pattern"/>; fails with the console's tail if none comes.</summary>
    public async Task<Match> WaitForAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var line in Reports())
            {
                var match = regex.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }

            if (DateTime.UtcNow > until || Process.HasExited)
            {
                throw new TimeoutException($"{Name}: no console line matching /{pattern}/ within {timeout.TotalSeconds:0} s"
                    + (Process.HasExited ? " (QEMU exited)" : "") + "; reports so far:\n" + string.Join('\n', Reports()));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The config the stand-in printed between its config-begin and config-end lines.</summary>
    public string ReceivedConfig()
    {
        using var stream = new FileStream(Serial, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd().Replace("\r", "", StringComparison.Ordinal);
        var begin = text.IndexOf("STANDIN config-begin\n", StringComparison.Ordinal);
        var end = text.IndexOf("STANDIN config-end", StringComparison.Ordinal);
        return begin < 0 || end < begin ? "" : text[(begin + "STANDIN config-begin\n".Length)..end];
    }
}
