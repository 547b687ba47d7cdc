using System.Collections.Concurrent;
using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.DeviceAuth;

/// <summary>
/// A re-arm recorded in git (<c>deviceAuthRearm</c>) applies once per value, across restarts; a device request is a
/// sighting; a second live claimant of a MAC is queued durably for its GitHub comment.
/// </summary>
public sealed class RearmAndClaimantTests(ITestOutputHelper output)
{
    private const string FirstMac = "52:54:00:00:05:12";
    private const string Uuid = "4c4c4544-0042-3910-8036-b4c04f4d4d31";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static (string, string) Device(string? rearm = null) =>
        ("inventory/devices/cp-02.yaml", MiniRenderer.DeviceFile(FirstMac, "cp-02", "10.0.5.12/24") + "deviceAuth: first\n" + (rearm is null ? string.Empty : $"deviceAuthRearm: {rearm}\n"));

    [Fact]
    public async Task GitRearm_ANewValue_LetsTheWaitingSingleClaimantHaveTheToken_TheSameValueNeverAgain()
    {
        var log = new ConcurrentQueue<string>();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [Device()], services: s => s.AddSingleton<TimeProvider>(_time), log: log);
        Assert.Equal(200, await NewFlowPollsAsync(gatekeeper));
        var reinstall = new TalosOAuthClient(gatekeeper.Client, FirstMac, Uuid);
        var (_, flow) = await reinstall.DeviceCodeAsync();
        var code = flow.GetProperty("device_code").GetString()!;
        Assert.Equal("authorization_pending", (await reinstall.TokenAsync(code)).Body.GetProperty("error").GetString());

        var rearming = gatekeeper.Commit([Device("2026-12-05 reinstall after disk swap")]);
        await gatekeeper.Host.SyncAsync();
        await gatekeeper.Host.WaitForCommitAsync(rearming);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(200, (await reinstall.TokenAsync(code)).Status);
        Assert.Contains(log, l => l.Contains($"re-armed by commit {rearming}", StringComparison.Ordinal) && l.Contains("2026-12-05 reinstall after disk swap", StringComparison.Ordinal));

        // A later commit that keeps the value (another file changed) does not re-arm: the next flow waits.
        var later = gatekeeper.Commit([Device("2026-12-05 reinstall after disk swap"), ("inventory/devices/w-01.yaml", MiniRenderer.DeviceFile("52:54:00:00:05:21", "w-01", "10.0.5.21/24"))]);
        await gatekeeper.Host.SyncAsync();
        await gatekeeper.Host.WaitForCommitAsync(later);
        Assert.Equal(400, await NewFlowPollsAsync(gatekeeper));
        Assert.Single(log, l => l.Contains("re-armed by commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GitRearm_IsRecordedInTheStoreWithItsValue_SoARestartDoesNotApplyItAgain()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [Device("2026-12-01 first install")], services: s => s.AddSingleton<TimeProvider>(_time));

        Assert.Equal(200, await NewFlowPollsAsync(gatekeeper)); // applied (nothing issued yet), then the single claimant's token

        var saved = await DeviceFlowStore.Open(gatekeeper.Host.Get<DeviceStore>()).LoadAsync(_time.GetUtcNow(), default);
        Assert.Equal("2026-12-01 first install", saved.AppliedRearms[MacAddress.Parse(FirstMac)]);
        Assert.Equal([MacAddress.Parse(FirstMac)], saved.IssuedMacs); // the token after the re-arm stays recorded
    }

    [Fact]
    public async Task DeviceRequest_OfAnUnknownMac_IsASighting_AndASecondLiveClaimantIsQueuedForItsIssue()
    {
        const string Unknown = "52:54:00:00:07:77";
        var log = new ConcurrentQueue<string>();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, [Device()], services: s => s.AddSingleton<TimeProvider>(_time), log: log);
        var store = gatekeeper.Host.Get<DeviceStore>();
        var contests = SqliteContestOutbox.Open(store);

        Assert.Equal(200, (await new TalosOAuthClient(gatekeeper.Client, Unknown, "uuid-a").DeviceCodeAsync()).Status);
        Assert.Contains(await store.ListAsync(default), d => d.Mac == MacAddress.Parse(Unknown));
        Assert.Empty(await contests.ListDueAsync(10, default));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(200, (await new TalosOAuthClient(gatekeeper.Client, Unknown, "uuid-b").DeviceCodeAsync()).Status);

        var due = Assert.Single(await contests.ListDueAsync(10, default));
        Assert.Equal((MacAddress.Parse(Unknown), true), (due.Mac, due.AwaitingIssue));
        Assert.Contains(log, l => l.Contains($"Second claimant of {Unknown}", StringComparison.Ordinal));
    }

    /// <summary>Starts a flow for the first-mode MAC and polls it once: 200 with a token, 400 while it waits.</summary>
    private async Task<int> NewFlowPollsAsync(FakeGatekeeper gatekeeper)
    {
        var talos = new TalosOAuthClient(gatekeeper.Client, FirstMac, Uuid);
        var (_, flow) = await talos.DeviceCodeAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        return (await talos.TokenAsync(flow.GetProperty("device_code").GetString()!)).Status;
    }
}
