using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>
/// The SQLite <see cref="IIssueOutbox"/> follows the rules written on the port (and followed by the
/// in-memory outbox of Ktizo.GitHub.Tests), durably and under concurrent calls.
/// </summary>
public sealed class IssueOutboxTests : IDisposable
{
    private static readonly MacAddress MacA = MacAddress.Parse("52:54:00:00:00:0a");
    private static readonly MacAddress MacB = MacAddress.Parse("52:54:00:00:00:0b");
    private static readonly MacAddress MacC = MacAddress.Parse("52:54:00:00:00:0c");
    private static readonly IPAddress Address = IPAddress.Parse("10.0.5.20");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private DeviceStore _store;
    private SqliteIssueOutbox _outbox;

    public IssueOutboxTests()
    {
        _store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        _outbox = SqliteIssueOutbox.Open(_store);
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task ListUnfiled_BeforeAnyCommitJudgedTheDevice_IsEmpty()
    {
        await SeeAsync(MacA);

        Assert.Empty(await _outbox.ListUnfiledAsync(10, default));
    }

    [Fact]
    public async Task ListUnfiled_PendingDevices_OldestFirstThenByMac_WithTheSighting()
    {
        await SeeAsync(MacB, userAgent: "Talos/1.12", uuid: "uuid-b");
        await SeeAsync(MacA);
        _time.Advance(TimeSpan.FromSeconds(1));
        await SeeAsync(MacC);
        await _outbox.ClassifyAsync(_ => DeviceStatus.Pending, default);

        var unfiled = await _outbox.ListUnfiledAsync(10, default);

        Assert.Equal([MacA, MacB, MacC], unfiled.Select(s => s.Mac));
        var b = unfiled[1];
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), b.FirstSeen);
        Assert.Equal("10.0.5.20", b.SourceAddress);
        Assert.Equal("uuid-b", b.Uuid);
        Assert.Equal("Talos/1.12", b.UserAgent);
        Assert.Equal([MacA, MacB], (await _outbox.ListUnfiledAsync(2, default)).Select(s => s.Mac));
    }

    [Fact]
    public async Task ListUnfiled_LeavesOutApprovedAndRejectedDevices()
    {
        await SeeAsync(MacA);
        await SeeAsync(MacB);
        await SeeAsync(MacC, kind: ObservationKind.Download);
        await _outbox.ClassifyAsync(m => m == MacB ? DeviceStatus.Rejected : DeviceStatus.Pending, default);

        Assert.Equal([MacA], (await _outbox.ListUnfiledAsync(10, default)).Select(s => s.Mac));
    }

    [Fact]
    public async Task RecordIssue_TakesTheDeviceOutOfUnfiled_AndIntoOpenIssues_ReplacingOnARace()
    {
        await PendingAsync(MacA, MacB);

        await _outbox.RecordIssueAsync(MacA, 7, default);
        await _outbox.RecordIssueAsync(MacB, 7, default); // a digest carries several
        await _outbox.RecordIssueAsync(MacC, 9, default); // unknown: ignored

        Assert.Empty(await _outbox.ListUnfiledAsync(10, default));
        var open = await _outbox.ListOpenIssuesAsync(default);
        Assert.Equal([(MacA, 7), (MacB, 7)], open.Select(f => (f.Sighting.Mac, f.IssueNumber)));
        Assert.All(open, f => Assert.Null(f.Decision));

        await _outbox.RecordIssueAsync(MacA, 3, default);
        Assert.Equal(3, (await _outbox.ListOpenIssuesAsync(default)).Single(f => f.Sighting.Mac == MacA).IssueNumber);
    }

    [Fact]
    public async Task ApplyCommit_DecidesDevicesWithOpenIssues_AndReportsThemWithCommitAndPullRequest()
    {
        await PendingAsync(MacA, MacB, MacC);
        await _outbox.RecordIssueAsync(MacA, 1, default);
        await _outbox.RecordIssueAsync(MacB, 2, default);

        var decided = await _outbox.ApplyCommitAsync(
            new Dictionary<MacAddress, DeviceDecision>
            {
                [MacA] = new(DeviceStatus.Approved, "c1", 12),
                [MacB] = new(DeviceStatus.Rejected, "c1", null),
                [MacC] = new(DeviceStatus.Approved, "c1", 12),
            },
            default);

        // C had no issue: decided, but nothing to close; it is no longer unfiled either.
        Assert.Equal([(MacA, 1, DeviceStatus.Approved), (MacB, 2, DeviceStatus.Rejected)], decided.Select(d => (d.Mac, d.IssueNumber, d.Decision.Status)));
        Assert.Empty(await _outbox.ListUnfiledAsync(10, default));
        var open = await _outbox.ListOpenIssuesAsync(default);
        Assert.Equal(new DeviceDecision(DeviceStatus.Approved, "c1", 12), open.Single(f => f.Sighting.Mac == MacA).Decision);
        Assert.Equal(new DeviceDecision(DeviceStatus.Rejected, "c1", null), open.Single(f => f.Sighting.Mac == MacB).Decision);

        // The same commit again (a restart): nothing new to report.
        Assert.Empty(await _outbox.ApplyCommitAsync(
            new Dictionary<MacAddress, DeviceDecision> { [MacA] = new(DeviceStatus.Approved, "c1", 12), [MacB] = new(DeviceStatus.Rejected, "c1", null), [MacC] = new(DeviceStatus.Approved, "c1", 12) },
            default));
    }

    [Fact]
    public async Task MarkIssueClosed_OnlyWhenTheNumberIsStillTheRecordedOne()
    {
        await PendingAsync(MacA);
        await _outbox.RecordIssueAsync(MacA, 5, default);
        await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision> { [MacA] = new(DeviceStatus.Approved, "c1", null) }, default);

        await _outbox.MarkIssueClosedAsync(MacA, 4, default);
        Assert.Single(await _outbox.ListOpenIssuesAsync(default));

        await _outbox.MarkIssueClosedAsync(MacA, 5, default);
        Assert.Empty(await _outbox.ListOpenIssuesAsync(default));
        Assert.Empty(await _outbox.ListUnfiledAsync(10, default));
    }

    [Fact]
    public async Task PendingAgainAfterTheIssueClosed_IsFiledAnew()
    {
        await PendingAsync(MacA);
        await _outbox.RecordIssueAsync(MacA, 5, default);
        await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision> { [MacA] = new(DeviceStatus.Approved, "c1", null) }, default);
        await _outbox.MarkIssueClosedAsync(MacA, 5, default);

        // The device file is removed from git.
        Assert.Empty(await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision>(), default));

        Assert.Equal([MacA], (await _outbox.ListUnfiledAsync(10, default)).Select(s => s.Mac));
        Assert.Empty(await _outbox.ListOpenIssuesAsync(default));
    }

    [Fact]
    public async Task PendingAgainBeforeTheIssueClosed_KeepsItsOpenIssue_WithoutADecision()
    {
        await PendingAsync(MacA);
        await _outbox.RecordIssueAsync(MacA, 5, default);
        await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision> { [MacA] = new(DeviceStatus.Approved, "c1", null) }, default);

        await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision>(), default); // reverted

        var open = Assert.Single(await _outbox.ListOpenIssuesAsync(default));
        Assert.Equal(5, open.IssueNumber);
        Assert.Null(open.Decision);

        // A worker that had already read the decision closes the issue: the device is filed anew.
        await _outbox.MarkIssueClosedAsync(MacA, 5, default);
        Assert.Equal([MacA], (await _outbox.ListUnfiledAsync(10, default)).Select(s => s.Mac));
    }

    [Fact]
    public async Task Everything_SurvivesAReopen()
    {
        await PendingAsync(MacA, MacB);
        await _outbox.RecordIssueAsync(MacA, 5, default);
        await _outbox.ApplyCommitAsync(new Dictionary<MacAddress, DeviceDecision> { [MacA] = new(DeviceStatus.Approved, "c1", 3) }, default);

        _outbox.Dispose();
        _store.Dispose();
        _store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        _outbox = SqliteIssueOutbox.Open(_store);

        Assert.Equal([MacB], (await _outbox.ListUnfiledAsync(10, default)).Select(s => s.Mac));
        var open = Assert.Single(await _outbox.ListOpenIssuesAsync(default));
        Assert.Equal((MacA, 5, new DeviceDecision(DeviceStatus.Approved, "c1", 3)), (open.Sighting.Mac, open.IssueNumber, open.Decision));
    }

    [Fact]
    public async Task ConcurrentCalls_FromTwoOutboxesAndFirstSightings_LoseNothing()
    {
        var macs = Enumerable.Range(1, 200).Select(i => MacAddress.FromValue(0x525400000000UL + (ulong)i)).ToList();
        await Task.WhenAll(macs.Select(m => _store.RecordAsync(m, ObservationKind.Request, Address, null, null)));
        using var second = SqliteIssueOutbox.Open(_store);
        await _outbox.ClassifyAsync(_ => DeviceStatus.Pending, default);

        await Task.WhenAll(macs.Select((m, i) => Task.Run(async () =>
        {
            var outbox = i % 2 == 0 ? _outbox : second;
            var sighting = _store.RecordAsync(MacAddress.FromValue(0x525400100000UL + (ulong)i), ObservationKind.Request, Address, null, null);
            await outbox.RecordIssueAsync(m, i + 1, default);
            Assert.True(await sighting);
            _ = await outbox.ListUnfiledAsync(10, default);
            _ = await outbox.ListOpenIssuesAsync(default);
        })));

        Assert.Empty(await second.ListUnfiledAsync(1000, default));
        var open = await _outbox.ListOpenIssuesAsync(default);
        Assert.Equal(200, open.Count);
        Assert.Equal(Enumerable.Range(1, 200), open.Select(f => f.IssueNumber).Order());
    }

    [Fact]
    public async Task EachWrite_IsCommittedBeforeItReturns()
    {
        await PendingAsync(MacA, MacB);
        var recording = Task.WhenAll(_outbox.RecordIssueAsync(MacA, 7, default), _outbox.RecordIssueAsync(MacB, 8, default));
        var seeing = _store.RecordAsync(MacC, ObservationKind.Request, Address, null, null);
        await recording;

        // Another connection to the file (what a crash leaves behind) already sees both numbers.
        using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.Path};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var command = reader.CreateCommand();
        command.CommandText = "SELECT group_concat(mac || '=' || issue_number, ' ') FROM (SELECT * FROM issue_outbox WHERE issue_number IS NOT NULL ORDER BY mac);";
        Assert.Equal($"{MacA}=7 {MacB}=8", command.ExecuteScalar());
        Assert.True(await seeing);
    }

    [Fact]
    public async Task AFailingWrite_FailsAlone_AndTheSightingsBesideItCommit()
    {
        var unjudged = Enumerable.Range(1, 5).Select(i => MacAddress.FromValue(0x525400300000UL + (ulong)i)).ToList();
        foreach (var mac in unjudged)
        {
            await SeeAsync(mac);
        }

        var macs = Enumerable.Range(1, 100).Select(i => MacAddress.FromValue(0x525400200000UL + (ulong)i)).ToList();

        // The classification throws halfway through its rows while first sightings keep arriving.
        var sightings = macs.Select(m => Task.Run(() => _store.RecordAsync(m, ObservationKind.Request, Address, null, null))).ToList();
        var judged = 0;
        var classify = _outbox.ClassifyAsync(_ => ++judged > 3 ? throw new InvalidOperationException("judge failed") : DeviceStatus.Pending, default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => classify);
        Assert.All(await Task.WhenAll(sightings), Assert.True);

        // The failed classification left no row half-judged: all of them are still to judge.
        _outbox.Dispose();
        _store.Dispose();
        _store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        _outbox = SqliteIssueOutbox.Open(_store);
        Assert.Equal(105, _store.Count);
        Assert.Equal(105, await _outbox.ClassifyAsync(_ => DeviceStatus.Pending, default));
    }

    private async Task SeeAsync(MacAddress mac, ObservationKind kind = ObservationKind.Request, string? userAgent = null, string? uuid = null) =>
        Assert.True(await _store.RecordAsync(mac, kind, Address, userAgent, uuid));

    private async Task PendingAsync(params MacAddress[] macs)
    {
        foreach (var mac in macs)
        {
            await SeeAsync(mac);
        }

        await _outbox.ClassifyAsync(_ => DeviceStatus.Pending, default);
    }
}
