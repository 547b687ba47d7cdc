using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Notifications;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Notifications;

/// <summary>The gatekeeper as its own process, its receiver configured only by environment variables, killed with SIGKILL mid-queue.</summary>
public sealed class NotificationKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-notify-kill");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Kill_WithNotificationsQueuedForAFailingReceiver_DeliversEveryOneAfterTheRestart_InOrder()
    {
        _remote.PushExample();
        await using var receiver = await WebhookReceiver.StartNewAsync();
        receiver.FailWith = 500;
        var environment = new Dictionary<string, string>
        {
            ["KTIZO_NOTIFICATIONS__0__URL"] = receiver.Url.ToString(),
            ["KTIZO_NOTIFICATIONS__0__SECRETENVIRONMENTVARIABLE"] = NotificationHarness.SecretVariable,
            ["KTIZO_NOTIFICATIONS__0__EVENTS"] = "device.pending",
            [NotificationHarness.SecretVariable] = NotificationHarness.Secret,
            ["KTIZO_NOTIFICATIONDELIVERY__RETRYBACKOFF"] = "20ms",
            ["KTIZO_NOTIFICATIONDELIVERY__MAXRETRYBACKOFF"] = "200ms",
            ["KTIZO_NOTIFICATIONDELIVERY__POLLINTERVAL"] = "100ms",
        };
        var firstLog = new List<string>();
        var macs = Enumerable.Range(0, 5).Select(i => MacAddress.FromValue(0x5254_00ee_0000UL + (ulong)i).ToString()).ToList();

        using (var first = await StartAsync(environment))
        {
            using var client = new HttpClient { BaseAddress = first.Url, Timeout = TimeSpan.FromSeconds(10) };
            await GatekeeperProcess.WaitReadyAsync(client);
            foreach (var mac in macs)
            {
                using var registered = await client.PostAsJsonAsync("/api/v1/devices/register", new { mac_address = mac });
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }

            while (receiver.Attempts.Count < 2)
            {
                await Task.Delay(20);
            }

            first.Process.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
            firstLog.AddRange(first.Output);
        }

        var attempted = receiver.Attempts.First().EventId;
        receiver.FailWith = null;
        using var second = await StartAsync(environment);
        try
        {
            var deliveries = await receiver.WaitAsync(d => d.Count >= macs.Count);

            Assert.Equal(macs, deliveries.Select(d => d.Json.GetProperty("mac").GetString()));
            Assert.Equal(attempted, deliveries[0].EventId);
            Assert.All(deliveries, d => Assert.True(NotificationSignature.Verify(Encoding.UTF8.GetBytes(NotificationHarness.Secret), d.Body, d.Signature)));
            // The failures were logged (receiver 0 by its host), never with the secret or the URL's token.
            Assert.Contains(firstLog, l => l.Contains("Notification to receiver 0 (127.0.0.1) failed", StringComparison.Ordinal));
            var seen = firstLog.Concat(second.Output).Concat(receiver.Attempts.Select(a => Encoding.UTF8.GetString(a.Body))).ToList();
            Assert.DoesNotContain(seen, l => l.Contains(NotificationHarness.Secret, StringComparison.Ordinal) || l.Contains("in-the-url", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var line in second.Output.Take(60))
            {
                output.WriteLine(line);
            }
        }
    }

    private Task<GatekeeperProcess> StartAsync(IReadOnlyDictionary<string, string> environment) =>
        GatekeeperProcess.StartAsync(
            Path.Combine(AppContext.BaseDirectory, "Ktizo.Gatekeeper.dll"),
            [
                "--repository", _remote.BarePath, "--branch", "main", "--data-folder", _data.Sub("data"),
                "--urls", "http://127.0.0.1:0", "--rate-limit-permits", "0",
            ],
            _data.Path,
            environment);
}
