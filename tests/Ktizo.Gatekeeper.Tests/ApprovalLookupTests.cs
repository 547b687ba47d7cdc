using System.Net;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>Approvals (a git history walk) are found after the swap, off the sync loop, newest commit first.</summary>
public sealed class ApprovalLookupTests(ITestOutputHelper output)
{
    private const string Cp01 = "inventory/devices/cp-01.yaml";
    private const string Cp02 = "inventory/devices/cp-02.yaml";
    private const string Cp03 = "inventory/devices/cp-03.yaml";

    [Fact]
    public async Task SlowApprovalLookup_NextCommitsAreServedMeanwhile_ThenTheNewestCommitsApprovalsAreKept()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [One]);
        var first = gatekeeper.Host.Get<ServingState>().Snapshot!.Commit;
        await gatekeeper.Host.WaitForApprovalsAsync(first);
        using var gate = new ManualResetEventSlim(false);
        gatekeeper.Source.ApprovalsGate = gate;

        var second = gatekeeper.Commit([One, Two]);
        await gatekeeper.Host.SyncAsync();
        var third = gatekeeper.Commit([One, Two, Three]);
        await gatekeeper.Host.SyncAsync();

        // Served while the lookup for the second commit is stuck: the walk does not hold the sync loop.
        var state = gatekeeper.Host.Get<ServingState>();
        Assert.Equal(third, state.Snapshot!.Commit);
        using (var response = await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=52:54:00:00:05:13"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(first, state.Approvals.Commit);
        Assert.NotEqual(second, third);

        gate.Set();
        await gatekeeper.Host.WaitForApprovalsAsync(third);
        Assert.Equal([Cp01, Cp02, Cp03], state.Approvals.ByPath.Keys.Order(StringComparer.Ordinal));
        Assert.All(state.Approvals.ByPath.Values, a => Assert.Equal(third, a.Commit));
    }

    private static (string, string) One => (Cp01, MiniRenderer.DeviceFile("52:54:00:00:05:11", "cp-01", "10.0.5.11/24", "controlplane"));

    private static (string, string) Two => (Cp02, MiniRenderer.DeviceFile("52:54:00:00:05:12", "cp-02", "10.0.5.12/24", "controlplane"));

    private static (string, string) Three => (Cp03, MiniRenderer.DeviceFile("52:54:00:00:05:13", "cp-03", "10.0.5.13/24", "controlplane"));
}
