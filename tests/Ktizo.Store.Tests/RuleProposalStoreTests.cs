using System.Net;
using Ktizo.Core;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>The approval rules' table: one row per MAC, durable, and the machines a rule may still match.</summary>
public sealed class RuleProposalStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    private static RuleProposalRecord Claim(string mac, string hostname) =>
        new(MacAddress.Parse(mac), "rack-a", "merge", hostname, "10.0.5.100/24", RuleProposalStates.Claimed, null, null, null, null, default);

    [Fact]
    public async Task Claim_IsOncePerMac_AcrossARestart()
    {
        var path = _folder.File("ktizo.db");
        using (var store = DeviceStore.Open(path, _time))
        {
            var rules = RuleProposalStore.Open(store);
            Assert.True(await rules.ClaimAsync(Claim("52:54:00:00:00:01", "worker-01"), _time.GetUtcNow(), default));
            Assert.False(await rules.ClaimAsync(Claim("52:54:00:00:00:01", "worker-02"), _time.GetUtcNow(), default));
            await rules.UpdateAsync(MacAddress.Parse("52:54:00:00:00:01"), RuleProposalStates.AwaitingCheck, _time.GetUtcNow(), default, pullRequest: 7, branch: "ktizo/approve/52-54-00-00-00-01", headSha: "abc");
        }

        using (var store = DeviceStore.Open(path, _time))
        {
            var rules = RuleProposalStore.Open(store);
            Assert.False(await rules.ClaimAsync(Claim("52-54-00-00-00-01", "worker-03"), _time.GetUtcNow(), default));
            var row = Assert.Single(await rules.ListAsync(default));
            Assert.Equal(("worker-01", RuleProposalStates.AwaitingCheck, 7, "abc"), (row.Hostname, row.State, row.PullRequest, row.HeadSha));
            Assert.Equal(_time.GetUtcNow(), row.Created);
        }
    }

    [Fact]
    public async Task Candidates_AreNewestFirstSightingsWithoutARowOrADownload()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        var rules = RuleProposalStore.Open(store);
        var source = IPAddress.Parse("10.0.5.77");
        await store.RecordAsync(MacAddress.Parse("52:54:00:00:00:01"), ObservationKind.Request, source, "Talos", "uuid-1");
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.RecordAsync(MacAddress.Parse("52:54:00:00:00:02"), ObservationKind.Request, source, "Talos", null);
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.RecordAsync(MacAddress.Parse("52:54:00:00:00:03"), ObservationKind.Download, source, "Talos", null);
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.RecordAsync(MacAddress.Parse("52:54:00:00:00:04"), ObservationKind.Request, null, "Talos", null);
        await rules.ClaimAsync(Claim("52:54:00:00:00:02", "worker-01"), _time.GetUtcNow(), default);

        var candidates = await rules.CandidatesAsync(10, default);
        Assert.Equal(["52:54:00:00:00:04", "52:54:00:00:00:01"], candidates.Select(c => c.Mac.ToString()));
        Assert.Equal(("uuid-1", source), (candidates[1].Uuid, candidates[1].Source));
        Assert.Single(await rules.CandidatesAsync(1, default));
    }
}
