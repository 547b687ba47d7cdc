using System.Text;
using System.Text.RegularExpressions;

namespace Ktizo.BootChain.Tests.Harness;

public enum DhcpMode
{
    /// <summary>dnsmasq hands out the addresses: dnsmasq/ktizo-dhcp.conf.</summary>
    Full,

    /// <summary>
    /// Another DHCP server (the "site's", in a namespace of its own on the same bridge, 10.0.5.254) hands
    /// out the addresses; dnsmasq adds the boot information: dnsmasq/ktizo-proxy-dhcp.conf.
    /// </summary>
    Proxy,
}

/// <summary>
/// A provisioning network of the test's own: a network namespace with a bridge (10.0.5.1/24 and an IPv6
/// ULA), real dnsmasq running the repository's dnsmasq/ configuration, and a TFTP root laid out as
/// docs/boot.md says. Only addresses inside the namespace are ever used. Disposing removes
/// the namespace and every process in it; logs are copied to artifacts/boot/ when a test failed.
/// </summary>
public sealed partial class BootLab : IDisposable
{
    public const string BridgeAddress = "10.0.5.1";
    public const int GatekeeperPort = 8000;
    private const string NamePrefix = "ktizo-bt-";

    private readonly List<Daemon> _daemons = [];
    private int _taps;
    private bool _disposed;

    public BootLab(DhcpMode mode)
    {
        Mode = mode;
        Prerequisites.Check();
        RepositoryRoot = FindRepositoryRoot();
        Assets = Prerequisites.BuildAssets(RepositoryRoot);
        RemoveStaleNamespaces();
        Namespace = $"{NamePrefix}{Environment.ProcessId}-{Random.Shared.Next(1000, 9999)}";
        Work = Directory.CreateTempSubdirectory("ktizo-boot-").FullName;
        // A test host stopped by SIGTERM (a CI timeout) still removes the namespace and its processes.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        // dnsmasq drops root for its own user, which must still read the TFTP root under here.
        Commands.Run("chmod", "755", Work);
        try
        {
            CreateNetwork();
            LayOutTftpRoot();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }

    public DhcpMode Mode { get; }

    /// <summary>The namespace of the site's DHCP server in proxy mode.</summary>
    public string SiteNamespace => Namespace + "-site";

    /// <summary>The scratch folder: TFTP root, dnsmasq config and lease file, logs, serial consoles.</summary>
    public string Work { get; }

    public string RepositoryRoot { get; }

    /// <summary>Kernel and initramfs (build-assets.sh).</summary>
    public string Assets { get; }

    public string TftpRoot => Path.Combine(Work, "tftp");

    public string HostsFile => Path.Combine(Work, "dhcp-hosts");

    public string DnsmasqLog => Path.Combine(Work, "dnsmasq.log");

    public Uri GatekeeperUrl => new($"http://{BridgeAddress}:{GatekeeperPort}");

    /// <summary>Set by a test that failed, so its logs are kept.</summary>
    public bool KeepArtifacts { get; set; }

    /// <summary>
    /// Starts dnsmasq with dnsmasq/ktizo-boot.conf and ktizo-dhcp.conf, every ${KTIZO_…} filled in, plus
    /// the test network's own additions (router advertisements, no ping probe) in a file of their own.
    /// </summary>
    public void StartDnsmasq()
    {
        var values = new Dictionary<string, string>
        {
            ["KTIZO_URL"] = GatekeeperUrl.ToString().TrimEnd('/'),
            ["KTIZO_INTERFACE"] = "br0",
            ["KTIZO_TFTP_ROOT"] = TftpRoot,
            ["KTIZO_RANGE_START"] = "10.0.5.100",
            ["KTIZO_RANGE_END"] = "10.0.5.199",
            ["KTIZO_NETMASK"] = "255.255.255.0",
            ["KTIZO_ROUTER"] = BridgeAddress,
            ["KTIZO_DNS"] = BridgeAddress,
            ["KTIZO_HOSTS_FILE"] = HostsFile,
            ["KTIZO_SUBNET"] = "10.0.5.0",
        };
        var confDir = Path.Combine(Work, "dnsmasq.d");
        Directory.CreateDirectory(confDir);
        foreach (var name in new[] { "ktizo-boot.conf", Mode == DhcpMode.Full ? "ktizo-dhcp.conf" : "ktizo-proxy-dhcp.conf" })
        {
            var text = File.ReadAllText(Path.Combine(RepositoryRoot, "dnsmasq", name));
            var filled = Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v)
                ? v
                : throw new InvalidOperationException($"dnsmasq/{name} uses ${{{m.Groups[1].Value}}}, which the test does not fill in"));
            File.WriteAllText(Path.Combine(confDir, name), filled);
        }

        // Not the user's business but this network's: without a router advertisement iPXE waits 15 s for
        // IPv6, and the ping probe before each offer costs 3 s.
        File.WriteAllText(Path.Combine(confDir, "test-network.conf"), "enable-ra\ndhcp-range=::,constructor:br0,ra-only,64\nno-ping\n");
        if (!File.Exists(HostsFile))
        {
            File.WriteAllText(HostsFile, "");
        }

        _daemons.Add(Daemon.Start(Path.Combine(Work, "dnsmasq.out"), "ip",
        [
            "netns", "exec", Namespace, "timeout", "900", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
            $"--conf-dir={confDir}", $"--dhcp-leasefile={Path.Combine(Work, "leases")}", $"--pid-file={Path.Combine(Work, "dnsmasq.pid")}",
            $"--log-facility={DnsmasqLog}",
        ]));
        WaitFor(() => File.Exists(DnsmasqLog) && File.ReadAllText(DnsmasqLog).Contains("TFTP root is", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "dnsmasq did not start (see dnsmasq.out)");
    }

    /// <summary>Asks dnsmasq to reread its dhcp-hostsfile, as a user does after `ktizo dnsmasq-hosts`.</summary>
    public void ReloadDnsmasq()
    {
        var pid = File.ReadAllText(Path.Combine(Work, "dnsmasq.pid")).Trim();
        Commands.Run("kill", "-HUP", pid);
    }

    /// <summary>Runs a program inside the namespace (the gatekeeper, for instance), ended with the lab.</summary>
    public void StartInNamespace(string log, IReadOnlyList<string> command, IDictionary<string, string>? environment = null) =>
        _daemons.Add(Daemon.Start(log, "ip", ["netns", "exec", Namespace, "timeout", "900", .. command], environment));

    public Vm StartVm(string name, Firmware firmware, string mac, string uuid)
    {
        var tap = $"tap{_taps++}";
        Ip("tuntap", "add", "dev", tap, "mode", "tap");
        Ip("link", "set", tap, "master", "br0");
        Ip("link", "set", tap, "up");
        var vm = Vm.Start(this, name, firmware, mac, uuid, tap);
        _daemons.Add(vm.Process);
        return vm;
    }

    public HttpClient HttpClient() => NetNs.HttpClient(Namespace, GatekeeperUrl);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var daemon in _daemons)
        {
            daemon.Dispose();
        }

        foreach (var ns in new[] { SiteNamespace, Namespace })
        {
            KillEverythingIn(ns);
            try
            {
                Commands.Run("ip", "netns", "delete", ns);
            }
            catch (InvalidOperationException)
            {
                // It was never made.
            }
        }

        if (KeepArtifacts)
        {
            var target = Path.Combine(RepositoryRoot, "artifacts", "boot", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(Work, "*.log").Concat(Directory.EnumerateFiles(Work, "*.out")).Concat(Directory.EnumerateFiles(Work, "*.conf", SearchOption.AllDirectories)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            }
        }

        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
            // A log still open by a dying process; the temp folder is cleaned by the system.
        }
    }

    /// <summary>The last lines of every log, for a failure message that explains itself.</summary>
    public string Tail()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(Work, "*.log").Concat(Directory.EnumerateFiles(Work, "*.out")).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            text.Append("--- ").Append(Path.GetFileName(file)).Append(" (last 25 lines)\n");
            foreach (var line in lines.TakeLast(25))
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    internal void Ip(params string[] args) => Commands.Run("ip", ["-n", Namespace, .. args]);

    internal static void WaitFor(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException(failure);
            }

            Thread.Sleep(100);
        }
    }

    private void CreateNetwork()
    {
        Commands.Run("ip", "netns", "add", Namespace);
        Ip("link", "set", "lo", "up");
        Ip("link", "add", "br0", "type", "bridge");
        Ip("addr", "add", $"{BridgeAddress}/24", "dev", "br0");
        Ip("addr", "add", "fd00:5::1/64", "dev", "br0");
        Ip("link", "set", "br0", "up");
        if (Mode == DhcpMode.Proxy)
        {
            // The site's DHCP server: plain dnsmasq handing out addresses and nothing about booting.
            Commands.Run("ip", "netns", "add", SiteNamespace);
            Ip("link", "add", "veth-site", "type", "veth", "peer", "name", "eth0", "netns", SiteNamespace);
            Ip("link", "set", "veth-site", "master", "br0");
            Ip("link", "set", "veth-site", "up");
            Commands.Run("ip", "-n", SiteNamespace, "link", "set", "lo", "up");
            Commands.Run("ip", "-n", SiteNamespace, "addr", "add", "10.0.5.254/24", "dev", "eth0");
            Commands.Run("ip", "-n", SiteNamespace, "link", "set", "eth0", "up");
            var log = Path.Combine(Work, "site-dhcp.log");
            _daemons.Add(Daemon.Start(Path.Combine(Work, "site-dhcp.out"), "ip",
            [
                "netns", "exec", SiteNamespace, "timeout", "900", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--interface=eth0", "--dhcp-range=10.0.5.100,10.0.5.199,12h", "--no-ping", "--log-dhcp", $"--log-facility={log}",
                $"--dhcp-leasefile={Path.Combine(Work, "site.leases")}", $"--pid-file={Path.Combine(Work, "site.pid")}",
            ]));
        }
    }

    private void LayOutTftpRoot()
    {
        // As docs/boot.md lays it out: iPXE binaries under pxe/, Talos's assets under talos/.
        Directory.CreateDirectory(Path.Combine(TftpRoot, "pxe"));
        Directory.CreateDirectory(Path.Combine(TftpRoot, "talos"));
        foreach (var file in new[] { "undionly.kpxe", "snponly.efi", "ipxe.efi" })
        {
            File.Copy(Path.Combine(Prerequisites.IpxeDirectory, file), Path.Combine(TftpRoot, "pxe", file));
        }

        foreach (var file in new[] { "vmlinuz", "initramfs.xz" })
        {
            File.Copy(Path.Combine(Assets, file), Path.Combine(TftpRoot, "talos", file));
        }
    }

    private static void KillEverythingIn(string ns)
    {
        try
        {
            foreach (var pid in Commands.Run("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    Commands.Run("kill", "-KILL", pid.Trim());
                }
                catch (InvalidOperationException)
                {
                    // Exited meanwhile.
                }
            }
        }
        catch (InvalidOperationException)
        {
            // No such namespace.
        }
    }

    /// <summary>Namespaces a crashed earlier run left behind (its process is gone): ours by name, nobody else's.</summary>
    private static void RemoveStaleNamespaces()
    {
        foreach (var line in Commands.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            var match = StaleName().Match(name);
            if (match.Success && !Directory.Exists($"/proc/{match.Groups[1].Value}"))
            {
                KillEverythingIn(name);
                Commands.Run("ip", "netns", "delete", name);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ktizo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"cannot find the repository root (Ktizo.sln) above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^ktizo-bt-(\d+)-\d+(-site)?$")]
    private static partial Regex StaleName();
}
