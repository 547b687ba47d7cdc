using System.Net;
using System.Net.Http.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// Default deny, as a property: over random MACs with random statuses (approved, rejected, pending,
/// never mentioned), asked for in random notations by GET and POST, a config comes back exactly when
/// the MAC is approved, and it is that device's config.
/// </summary>
public sealed class NoConfigForUnapprovedTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeGatekeeper _gatekeeper = null!;

    public enum Status
    {
        Approved,
        Rejected,
        Pending,
    }

    public async Task InitializeAsync() => _gatekeeper = await FakeGatekeeper.StartAsync(output, []);

    public async Task DisposeAsync() => await _gatekeeper.DisposeAsync();

    [Property(MaxTest = 40, Arbitrary = [typeof(Generators)])]
    public bool Download_ForAnyMacAndStatus_ServesAConfigOnlyToApprovedMacs(Device[] devices) =>
        Task.Run(() => CheckAsync(devices)).GetAwaiter().GetResult();

    private async Task<bool> CheckAsync(Device[] devices)
    {
        // Distinct MACs; the last word on a MAC wins, as one file per MAC would.
        var byMac = devices.GroupBy(d => d.Mac).Select(g => g.Last()).ToList();
        var files = byMac
            .Select((d, i) => d.Status switch
            {
                Status.Approved => ($"inventory/devices/d{i}.yaml", MiniRenderer.DeviceFile(d.Mac.ToString(), $"host-{i}", $"10.0.{i % 250}.{(i % 250) + 1}/16")),
                Status.Rejected => ($"inventory/devices/d{i}.yaml", MiniRenderer.RejectedFile(d.Mac.ToString())),
                _ => (string.Empty, string.Empty),
            })
            .Where(f => f.Item1.Length > 0)
            .ToList();
        var commit = _gatekeeper.Commit(files);
        await _gatekeeper.Host.SyncAsync();
        await _gatekeeper.Host.WaitForCommitAsync(commit);

        foreach (var (device, index) in byMac.Select((d, i) => (d, i)))
        {
            var text = Notation(device.Mac, device.Notation);
            using var response = device.UsePost
                ? await _gatekeeper.Client.PostAsJsonAsync("/api/v1/config/download", new { mac_address = text })
                : await _gatekeeper.Client.GetAsync("/api/v1/config/download?mac=" + Uri.EscapeDataString(text));
            var body = await response.Content.ReadAsStringAsync();
            var ok = device.Status == Status.Approved
                ? response.StatusCode == HttpStatusCode.OK && body.Contains($"hostname: host-{index}\n", StringComparison.Ordinal)
                : response.StatusCode == HttpStatusCode.Forbidden
                  && body == $"Device not approved. Current status: {(device.Status == Status.Rejected ? "rejected" : "pending")}";
            if (!ok)
            {
                output.WriteLine($"{device} asked as '{text}': {(int)response.StatusCode} {body}");
                return false;
            }
        }

        return true;
    }

    private static string Notation(MacAddress mac, int notation)
    {
        var colons = mac.ToString();
        return notation switch
        {
            0 => colons,
            1 => colons.ToUpperInvariant(),
            2 => mac.ToFileName(),
            3 => mac.ToFileName().ToUpperInvariant(),
            _ => colons.Replace(":", string.Empty, StringComparison.Ordinal),
        };
    }

    public sealed record Device(MacAddress Mac, Status Status, int Notation, bool UsePost);

    public static class Generators
    {
        public static Arbitrary<Device[]> Devices()
        {
            // A narrow MAC range on purpose: collisions between devices are part of what is tested.
            var mac = Gen.Choose(0, 4095).Select(low => MacAddress.FromValue(0x525400000000UL + (ulong)low));
            var device =
                from m in mac
                from s in Gen.Elements(Status.Approved, Status.Rejected, Status.Pending)
                from n in Gen.Choose(0, 4)
                from p in Gen.Elements(false, true)
                select new Device(m, s, n, p);
            return Gen.ArrayOf(device).Where(a => a.Length <= 12).ToArbitrary();
        }
    }
}
