using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ktizo.BootChain.Tests.Harness;
using Xunit.Abstractions;

namespace Ktizo.BootChain.Tests;

/// <summary>A lab of its own: the test turns <c>deviceAuth: confirm</c> on for the whole cluster.</summary>
public sealed class DeviceAuthLabFixture() : PxeLabFixture(DhcpMode.Full);

/// <summary>
/// deviceAuth over a real PXE boot (docs/device-auth.md): boot.ipxe turns the device flow on, the Talos
/// stand-in asks for a code and prints it as Talos does, the test reads it from the console and confirms it,
/// and only then is the config served. A second machine claiming the same MAC never receives it.
/// </summary>
public sealed class DeviceAuthBootTests(DeviceAuthLabFixture fixture, ITestOutputHelper output) : IClassFixture<DeviceAuthLabFixture>
{
    private const string ApprovedMac = "52:54:00:00:05:21"; // worker-01 in the example inventory

    [Fact]
    public Task Confirm_TheConfirmedMachineGetsItsConfig_ASecondMachineWithTheSameMacNever() => Failures.KeepLogs(fixture.Lab, async () =>
    {
        var lab = fixture.Lab;
        using var http = lab.HttpClient();
        var cluster = await File.ReadAllTextAsync(Path.Combine(fixture.Repository.Path, "inventory", "cluster.yaml"));
        var commit = fixture.Repository.Commit("inventory/cluster.yaml", cluster + "deviceAuth: confirm\n", "Device auth: confirm");
        await Webhook.PushAsync(http, PxeLabFixture.WebhookSecret, "main", commit);
        await WaitForAsync(async () => (await http.GetStringAsync("/boot.ipxe")).Contains("talos.config.oauth.client_id=ktizo", StringComparison.Ordinal));

        var clock = Stopwatch.StartNew();
        var real = lab.StartVm("bios-deviceauth", Firmware.Bios, ApprovedMac, "5b1e7a1c-0000-4000-8000-000000000521");
        var prompt = await real.WaitForAsync(@"^STANDIN oauth please visit the URL (\S+) and enter the code ([B-Z]{4}-[B-Z]{4})$", TimeSpan.FromSeconds(180));
        Assert.Equal($"{lab.GatekeeperUrl.ToString().TrimEnd('/')}/ui/device-auth", prompt.Groups[1].Value);
        var shown = clock.Elapsed;

        // Unconfirmed, the MAC alone opens nothing.
        using (var refused = await http.GetAsync("/api/v1/config/download?mac=" + ApprovedMac))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var confirm = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device-auth/confirm") { Content = JsonContent.Create(new { user_code = prompt.Groups[2].Value }) })
        {
            confirm.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KtizoServe.AdminToken);
            using var confirmed = await http.SendAsync(confirm);
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        await real.WaitForAsync("^STANDIN oauth token received$", TimeSpan.FromSeconds(60));
        await real.WaitForAsync(@"^STANDIN attempt \d+ status 200 ", TimeSpan.FromSeconds(60));
        await real.WaitForAsync("^STANDIN config-end", TimeSpan.FromSeconds(20));
        Assert.Matches(@"(?m)^hostname: [""']?worker-01[""']?$", real.ReceivedConfig());
        var served = clock.Elapsed;
        await real.WaitForAsync("^STANDIN halt config received$", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(3)); // powered off: the MAC is free on the bridge

        // Someone else boots with the same MAC: a new flow, a new code, nobody confirms it.
        var impostor = lab.StartVm("bios-impostor", Firmware.Bios, ApprovedMac, "5b1e7a1c-0000-4000-8000-00000000dead");
        var second = await impostor.WaitForAsync(@"^STANDIN oauth please visit the URL \S+ and enter the code ([B-Z]{4}-[B-Z]{4})$", TimeSpan.FromSeconds(180));
        Assert.NotEqual(prompt.Groups[2].Value, second.Groups[1].Value);
        await Task.Delay(TimeSpan.FromSeconds(30)); // several polls: each answered authorization_pending
        Assert.True(impostor.Reports().Count(l => l == "STANDIN oauth poll authorization_pending") >= 3, "the impostor's polls were not all answered authorization_pending");
        Assert.DoesNotContain(impostor.Reports(), l => l.StartsWith("STANDIN oauth token received", StringComparison.Ordinal) || l.Contains("status 200", StringComparison.Ordinal));
        Assert.Equal("", impostor.ReceivedConfig());

        output.WriteLine($"deviceAuth confirm: code shown {shown.TotalSeconds:0.0} s after QEMU start, config served at {served.TotalSeconds:0.0} s");
        output.WriteLine(string.Join('\n', real.Reports()));
        output.WriteLine(string.Join('\n', impostor.Reports()));
    });

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("the gatekeeper did not serve the deviceAuth commit within 60 s");
            }

            await Task.Delay(500);
        }
    }
}
