using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Ktizo.BootChain.Tests.Harness;
using Ktizo.Cli;
using Ktizo.Cli.Commands;
using Xunit.Abstractions;

namespace Ktizo.BootChain.Tests;

/// <summary>
/// One provisioning network for the class: namespace, bridge, dnsmasq with the repository's dnsmasq/
/// configuration, a git repository made from the example inventory, and the gatekeeper serving it.
/// </summary>
public class PxeLabFixture : IAsyncLifetime
{
    private readonly DhcpMode _mode;

    public PxeLabFixture()
        : this(DhcpMode.Full)
    {
    }

    protected PxeLabFixture(DhcpMode mode) => _mode = mode;

    public BootLab Lab { get; private set; } = null!;

    public const string WebhookSecret = "boot-test-webhook-secret";

    public TestRepository Repository { get; private set; } = null!;


    public async Task InitializeAsync()
    {
        Lab = new BootLab(_mode);
        try
        {
            Repository = new TestRepository(Lab.RepositoryRoot);
            WriteHostsFile();
            Lab.StartDnsmasq();
            await KtizoServe.StartAsync(Lab, Repository, WebhookSecret);
        }
        catch (Exception e)
        {
            Lab.KeepArtifacts = true;
            var logs = Lab.Tail();
            await DisposeAsync();
            throw new InvalidOperationException($"{e.Message}\n\n{logs}", e);
        }
    }

    public Task DisposeAsync()
    {
        Lab.Dispose();
        Repository?.Dispose();
        Repository = null!;
        return Task.CompletedTask;
    }

    /// <summary>`ktizo dnsmasq-hosts --repo R --rev HEAD --out FILE`, as a user runs it after each merge.</summary>
    public void WriteHostsFile()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var command = DnsmasqHostsCommand.Create(new CliConsole(output, error, _ => null));
        var code = command.Parse(["--repo", Repository.Path, "--rev", "HEAD", "--out", Lab.HostsFile]).Invoke();
        if (code != 0)
        {
            throw new InvalidOperationException($"ktizo dnsmasq-hosts failed ({code}): {error}");
        }
    }
}

/// <summary>
/// A real PXE boot, end to end: QEMU firmware → dnsmasq (DHCP, TFTP) → iPXE → boot.ipxe → kernel and
/// initramfs over HTTP → the Talos stand-in asks for its config, with Talos's retry backoff.
/// </summary>
public sealed class PxeBootTests(PxeLabFixture fixture, ITestOutputHelper output) : IClassFixture<PxeLabFixture>
{
    private const string UnknownMac = "52:54:00:00:05:31";
    private const string ApprovedMac = "52:54:00:00:05:21"; // worker-01 in the example inventory

    [Fact]
    public Task BiosVm_WithUnknownMac_IsRefusedAsPendingThenGetsItsConfigOnceApproved() => Run(async () =>
    {
        var lab = fixture.Lab;
        var vm = lab.StartVm("bios-unknown", Firmware.Bios, UnknownMac, "5b1e7a1c-0000-4000-8000-000000000531");
        var clock = Stopwatch.StartNew();

        var refused = await vm.WaitForAsync(@"^STANDIN attempt (\d+) status 403 at [0-9.]+ s body (.*)$", TimeSpan.FromSeconds(150));
        var firstAnswer = clock.Elapsed;
        Assert.Equal("Device not approved. Current status: pending", refused.Groups[2].Value.Trim());
        var cmdline = (await vm.WaitForAsync("^STANDIN cmdline (.*)$", TimeSpan.Zero)).Groups[1].Value;
        Assert.Contains("talos.platform=metal", cmdline, StringComparison.Ordinal);
        // iPXE filled in the MAC of the NIC it booted from, and the SMBIOS UUID.
        Assert.Contains("mac=52-54-00-00-05-31&uuid=5b1e7a1c-0000-4000-8000-000000000531", cmdline, StringComparison.Ordinal);

        using var http = lab.HttpClient();
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/devices");
        list.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", KtizoServe.ViewerToken);
        using var listed = await http.SendAsync(list);
        var devices = await listed.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(devices.GetProperty("devices").EnumerateArray(), d => d.GetProperty("mac").GetString() == UnknownMac && d.GetProperty("status").GetString() == "pending");

        // Approve: the commit a merged pull request makes, then the push webhook.
        var approvedAt = clock.Elapsed;
        var commit = fixture.Repository.Commit("inventory/devices/worker-03.yaml",
            $"mac: {UnknownMac}\nhostname: worker-03\nrole: worker\nip: 10.0.5.31/24\n", "Approve worker-03");
        fixture.WriteHostsFile();
        lab.ReloadDnsmasq();
        await Webhook.PushAsync(http, PxeLabFixture.WebhookSecret, "main", commit);

        // Talos's backoff retries at 0, 1, 3, 7, 15, 31 s: the approval lands within a couple of retries.
        await vm.WaitForAsync(@"^STANDIN attempt \d+ status 200 ", TimeSpan.FromSeconds(90));
        var served = clock.Elapsed;
        await vm.WaitForAsync("^STANDIN config-end", TimeSpan.FromSeconds(20));
        var config = vm.ReceivedConfig();
        Assert.Matches(@"(?m)^hostname: [""']?worker-03[""']?$", config);
        Assert.Matches(@"(?m)^ +- address: [""']?10\.0\.5\.31/24[""']?$", config);
        output.WriteLine($"BIOS: first answer (403) {firstAnswer.TotalSeconds:0.0} s after QEMU start; approval at {approvedAt.TotalSeconds:0.0} s; config served at {served.TotalSeconds:0.0} s");
        output.WriteLine(string.Join('\n', vm.Reports()));
    });

    [Fact]
    public Task UefiVm_WithoutOptionRom_ChainloadsIpxeOverTftpAndGetsItsReservedAddressAndConfig() => Run(async () =>
    {
        var lab = fixture.Lab;
        var vm = lab.StartVm("uefi-approved", Firmware.Uefi, ApprovedMac, "5b1e7a1c-0000-4000-8000-000000000521");
        var clock = Stopwatch.StartNew();

        await vm.WaitForAsync(@"^STANDIN attempt \d+ status 200 ", TimeSpan.FromSeconds(180));
        var served = clock.Elapsed;

        // Firmware PXE fetched iPXE over TFTP: the leg BIOS mode skips.
        Assert.Contains("sent " + Path.Combine(lab.TftpRoot, "pxe", "snponly.efi"), File.ReadAllText(lab.DnsmasqLog), StringComparison.Ordinal);
        // The address came from the reservation `ktizo dnsmasq-hosts` wrote, the one the config sets.
        await vm.WaitForAsync(@"^STANDIN dhcp 10\.0\.5\.21/24 ", TimeSpan.Zero);
        await vm.WaitForAsync("^STANDIN config-end", TimeSpan.FromSeconds(20));
        var config = vm.ReceivedConfig();
        Assert.Matches(@"(?m)^hostname: [""']?worker-01[""']?$", config);
        Assert.Matches(@"(?m)^ +- address: [""']?10\.0\.5\.21/24[""']?$", config);
        output.WriteLine($"UEFI: config served {served.TotalSeconds:0.0} s after QEMU start");
        output.WriteLine(string.Join('\n', vm.Reports()));
    });

    private Task Run(Func<Task> test) => Failures.KeepLogs(fixture.Lab, test);
}

/// <summary>The same lab with proxy DHCP: the site's DHCP server hands out addresses, dnsmasq only boots.</summary>
public sealed class ProxyLabFixture() : PxeLabFixture(DhcpMode.Proxy);

/// <summary>
/// dnsmasq/ktizo-proxy-dhcp.conf next to an existing DHCP server, the common case: a UEFI machine takes its
/// address from that server and its boot information from dnsmasq (PXE menu with one entry), through TFTP.
/// </summary>
public sealed class ProxyDhcpBootTests(ProxyLabFixture fixture, ITestOutputHelper output) : IClassFixture<ProxyLabFixture>
{
    [Fact]
    public Task UefiVm_NextToAnotherDhcpServer_BootsWithItsAddressAndDnsmasqsBootInfo() => Failures.KeepLogs(fixture.Lab, async () =>
    {
        var lab = fixture.Lab;
        var vm = lab.StartVm("uefi-proxy", Firmware.Uefi, "52:54:00:00:05:11", "5b1e7a1c-0000-4000-8000-000000000511");
        var clock = Stopwatch.StartNew();

        await vm.WaitForAsync(@"^STANDIN attempt \d+ status 200 ", TimeSpan.FromSeconds(180));
        var served = clock.Elapsed;
        await vm.WaitForAsync("^STANDIN config-end", TimeSpan.FromSeconds(20));

        // The address and route came from the site's server, not from dnsmasq.
        await vm.WaitForAsync(@"^STANDIN dhcp 10\.0\.5\.1\d\d/24 router=10\.0\.5\.254 ", TimeSpan.Zero);
        var log = File.ReadAllText(lab.DnsmasqLog);
        Assert.Contains("proxy", log, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("sent " + Path.Combine(lab.TftpRoot, "pxe", "snponly.efi"), log, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^hostname: [""']?cp-01[""']?$", vm.ReceivedConfig());
        output.WriteLine($"UEFI, proxy DHCP: config served {served.TotalSeconds:0.0} s after QEMU start");
        output.WriteLine(string.Join('\n', vm.Reports()));
    });
}

internal static class Failures
{
    /// <summary>On failure: keep the logs under artifacts/boot/ and put their tails in the message.</summary>
    public static async Task KeepLogs(BootLab lab, Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception e)
        {
            lab.KeepArtifacts = true;
            throw new Xunit.Sdk.XunitException($"{e.Message}\n\n{lab.Tail()}\n{e}");
        }
    }
}
