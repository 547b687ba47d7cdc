using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

public sealed class DeviceStoreTests : IDisposable
{
    private static readonly MacAddress MacA = MacAddress.Parse("52:54:00:12:34:56");
    private static readonly MacAddress MacB = MacAddress.Parse("52:54:00:ab:cd:ef");
    private static readonly IPAddress Address = IPAddress.Parse("10.0.5.20");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_WhenFileIsMissing_CreatesSchemaInWalMode()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);

        using var reader = OpenReader();
        Assert.Equal("wal", Scalar(reader, "PRAGMA journal_mode;"));
        Assert.Equal(11L, Scalar(reader, "PRAGMA user_version;")); // 2: the GitHub issue outbox, 3: its states named, 4: index by last_seen, 5: device flows, 6: re-arms from git and second claimants, 7: notifications, 8: approval-rule proposals, 9: served history and render changes, 10: attempts of rule proposals, 11: notices deferred until a commit is served
        Assert.Equal(0L, Scalar(reader, "SELECT COUNT(*) FROM devices;"));
    }

    [Fact]
    public async Task RecordAsync_WhenMacIsNew_IsOnDiskBeforeItReturns()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);

        var first = await store.RecordAsync(MacA, ObservationKind.Request, Address, "Talos/1.12", "uuid-1");

        Assert.True(first);
        // A second, independent connection sees the row without any flush.
        using var reader = OpenReader();
        Assert.Equal(1L, Scalar(reader, "SELECT COUNT(*) FROM devices WHERE mac = '52:54:00:12:34:56';"));
        Assert.Equal("10.0.5.20", Scalar(reader, "SELECT last_address FROM devices;"));
        Assert.Equal("uuid-1", Scalar(reader, "SELECT uuid FROM devices;"));
    }

    [Fact]
    public async Task TryTouch_WhenMacIsKnown_WritesNothingUntilFlush()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        await store.RecordAsync(MacA, ObservationKind.Request, Address, null, null);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(store.TryTouch(MacA, ObservationKind.Request, Address, "Talos/1.12", default));
        }

        using var reader = OpenReader();
        Assert.Equal(1L, Scalar(reader, "SELECT request_count FROM devices;"));

        Assert.Equal(1, await store.FlushAsync());
        Assert.Equal(1001L, Scalar(reader, "SELECT request_count FROM devices;"));
        Assert.Equal(0, await store.FlushAsync());
    }

    [Fact]
    public void TryTouch_WhenMacIsNew_ReturnsFalseAndRecordsNothing()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);

        Assert.False(store.TryTouch(MacA, ObservationKind.Request, Address, null, default));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task RecordAsync_WhenManyRequestsRaceForOneNewMac_KeepsOneRowAndEveryRequest()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);

        var firsts = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            Task.Run(() => store.RecordAsync(MacA, ObservationKind.Request, Address, null, null))));

        Assert.Equal(1, firsts.Count(f => f));
        var record = await store.GetAsync(MacA);
        Assert.NotNull(record);
        Assert.Equal(64, record.RequestCount);
    }

    [Fact]
    public async Task RecordAsync_WhenManyNewMacsArriveAtOnce_EachIsOnDiskWhenItsCallReturns()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        var macs = Enumerable.Range(0, 300).Select(i => MacAddress.Parse($"02:00:00:00:{i / 256:x2}:{i % 256:x2}")).ToList();

        // Each caller checks its own row from an independent connection the moment its call returns.
        var seen = await Task.WhenAll(macs.Select(mac => Task.Run(async () =>
        {
            var first = await store.RecordAsync(mac, ObservationKind.Request, Address, "iPXE", null);
            using var reader = OpenReader();
            return (first, rows: (long)Scalar(reader, $"SELECT COUNT(*) FROM devices WHERE mac = '{mac}';")!);
        })));

        Assert.All(seen, s => Assert.True(s.first));
        Assert.All(seen, s => Assert.Equal(1L, s.rows));
        Assert.Equal(300, store.Count);
        using var all = OpenReader();
        Assert.Equal(300L, Scalar(all, "SELECT COUNT(*) FROM devices;"));
    }

    [Fact]
    public async Task RecordAsync_AfterDispose_ThrowsAndWritesNothing()
    {
        var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.RecordAsync(MacA, ObservationKind.Request, Address, null, null));

        using var reader = OpenReader();
        Assert.Equal(0L, Scalar(reader, "SELECT COUNT(*) FROM devices;"));
    }

    [Fact]
    public async Task GetAsync_AfterRequestsDownloadsAndRegister_ReportsEveryField()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        var t0 = _time.GetUtcNow();
        await store.RecordAsync(MacA, ObservationKind.Register, Address, "curl/8", "uuid-1");
        _time.Advance(TimeSpan.FromMinutes(1));
        store.TryTouch(MacA, ObservationKind.Request, IPAddress.Parse("10.0.5.21"), "Talos/1.12", "uuid-2");
        _time.Advance(TimeSpan.FromMinutes(1));
        store.TryTouch(MacA, ObservationKind.Download, IPAddress.Parse("10.0.5.21"), "Talos/1.12", "uuid-2");

        var record = await store.GetAsync(MacA);

        Assert.NotNull(record);
        Assert.Equal(MacA, record.Mac);
        Assert.Equal(t0, record.FirstSeen);
        Assert.Equal(t0.AddMinutes(2), record.LastSeen);
        Assert.Equal(3, record.RequestCount);
        Assert.Equal("10.0.5.21", record.LastAddress);
        Assert.Equal("Talos/1.12", record.LastUserAgent);
        Assert.Equal("uuid-2", record.Uuid);
        Assert.True(record.Registered);
        Assert.Equal(t0.AddMinutes(2), record.LastDownload);
        Assert.Equal(1, record.DownloadCount);
        Assert.Null(await store.GetAsync(MacB));
    }

    [Fact]
    public async Task ListAsync_ReturnsDevicesSortedByMac()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        await store.RecordAsync(MacB, ObservationKind.Request, null, null, null);
        await store.RecordAsync(MacA, ObservationKind.Request, null, null, null);

        var records = await store.ListAsync();

        Assert.Equal([MacA, MacB], records.Select(r => r.Mac));
    }

    [Fact]
    public async Task Open_AfterDispose_KnowsEveryDeviceAndKeepsFlushedCounters()
    {
        var path = _folder.File("ktizo.db");
        using (var store = DeviceStore.Open(path, _time))
        {
            await store.RecordAsync(MacA, ObservationKind.Request, null, null, null);
            store.TryTouch(MacA, ObservationKind.Request, null, null, default);
        }

        using var reopened = DeviceStore.Open(path, _time);

        Assert.True(reopened.TryTouch(MacA, ObservationKind.Request, null, null, default));
        Assert.False(reopened.TryTouch(MacB, ObservationKind.Request, null, null, default));
        Assert.Equal(3, (await reopened.GetAsync(MacA))!.RequestCount);
    }

    [Fact]
    public async Task Files_CopiedWhileStoreIsOpen_AreReadableAndHoldEveryFirstSighting()
    {
        // What a kill -9 leaves behind is the files as they are at that instant: copy them mid-flight.
        var path = _folder.File("ktizo.db");
        using var store = DeviceStore.Open(path, _time);
        var macs = Enumerable.Range(1, 50).Select(i => MacAddress.FromValue(0x525400000000UL + (ulong)i)).ToList();
        foreach (var mac in macs)
        {
            await store.RecordAsync(mac, ObservationKind.Request, Address, null, null);
            store.TryTouch(mac, ObservationKind.Request, Address, null, default);
        }

        var crashed = _folder.File("crashed.db");
        File.Copy(path, crashed);
        File.Copy(path + "-wal", crashed + "-wal");

        using var recovered = DeviceStore.Open(crashed, _time);
        var records = await recovered.ListAsync();
        Assert.Equal(macs, records.Select(r => r.Mac));
    }

    [Fact]
    public void Meta_WhenSet_SurvivesReopen()
    {
        var path = _folder.File("ktizo.db");
        using (var store = DeviceStore.Open(path, _time))
        {
            Assert.Null(store.GetMeta("last-good-commit"));
            store.SetMeta("last-good-commit", "abc");
            store.SetMeta("last-good-commit", "def");
        }

        using var reopened = DeviceStore.Open(path, _time);
        Assert.Equal("def", reopened.GetMeta("last-good-commit"));
    }

    [Fact]
    public void Open_WhenSchemaIsNewer_FailsWithAUserFacingError()
    {
        var path = _folder.File("ktizo.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<KtizoException>(() => DeviceStore.Open(path, _time));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenPathIsNotADatabase_FailsWithAUserFacingError()
    {
        var path = _folder.File("ktizo.db");
        File.WriteAllText(path, "this is not sqlite, it is long enough to have a header that SQLite rejects outright.");

        var error = Assert.Throws<KtizoException>(() => DeviceStore.Open(path, _time));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection($"Data Source={_folder.File("ktizo.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
