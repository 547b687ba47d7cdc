using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>Pages, search, pruning of stale pending machines, and the write probe on a full file (issue 15, findings 5 and 7).</summary>
public sealed class BoundedReadsAndPruningTests : IDisposable
{
    private static readonly IPAddress Address = IPAddress.Parse("10.0.5.20");
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    private static MacAddress Mac(int i) => MacAddress.Parse($"02:00:00:{i >> 16 & 0xff:x2}:{i >> 8 & 0xff:x2}:{i & 0xff:x2}");

    [Fact]
    public async Task PageAsync_WalksEveryDeviceOnceInMacOrder()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        for (var i = 0; i < 25; i++)
        {
            await store.RecordAsync(Mac(24 - i), ObservationKind.Request, Address, null, null);
        }

        var seen = new List<MacAddress>();
        MacAddress? after = null;
        while (true)
        {
            var page = await store.PageAsync(after, 10);
            Assert.True(page.Count <= 10);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(r => r.Mac));
            after = page[^1].Mac;
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(Mac), seen);
    }

    [Fact]
    public async Task NewestAsync_AndWithPrefixAsync_AreBoundedAndOrdered()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        for (var i = 0; i < 300; i++)
        {
            await store.RecordAsync(Mac(i), ObservationKind.Request, Address, null, null);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var newest = await store.NewestAsync(5, 0);
        Assert.Equal([Mac(299), Mac(298), Mac(297), Mac(296), Mac(295)], newest.Select(r => r.Mac));
        Assert.Equal([Mac(294)], (await store.NewestAsync(1, 5)).Select(r => r.Mac));

        Assert.True(MacPrefix.TryParse("02-00-00-00-01", out var prefix));
        Assert.Equal("02:00:00:00:01", prefix);
        var found = await store.WithPrefixAsync(prefix, 1000);
        Assert.Equal(Enumerable.Range(256, 44).Select(Mac), found.Select(r => r.Mac));
        Assert.Equal(3, (await store.WithPrefixAsync(prefix, 3)).Count);
        Assert.Empty(await store.WithPrefixAsync("03", 10));
    }

    [Fact]
    public async Task OpenIssuesOfAsync_ReadsOnlyTheMacsAsked_AndOnlyOpenIssues()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        for (var i = 0; i < 4; i++)
        {
            await store.RecordAsync(Mac(i), ObservationKind.Request, Address, null, null);
        }

        await store.Writer.ExclusiveAsync(c => Execute(c, $"""
            UPDATE issue_outbox SET issue_number = 7 WHERE mac IN ('{Mac(0)}', '{Mac(1)}');
            UPDATE issue_outbox SET issue_number = 8, issue_closed = 1 WHERE mac = '{Mac(2)}';
            """), default);

        var issues = await store.OpenIssuesOfAsync([Mac(0), Mac(2), Mac(3)]);

        Assert.Equal([(Mac(0), 7)], issues.Select(p => (p.Key, p.Value)));
        Assert.Empty(await store.OpenIssuesOfAsync([]));
    }

    [Theory]
    [InlineData("52:54:00:12:34:56", "52:54:00:12:34:56")]
    [InlineData("5254001", "52:54:00:1")]
    [InlineData("52-54-AB", "52:54:ab")]
    [InlineData("5", "5")]
    public void MacPrefix_TryParse_NormalisesWhatPeopleType(string typed, string expected)
    {
        Assert.True(MacPrefix.TryParse(typed, out var prefix));
        Assert.Equal(expected, prefix);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("' OR 1=1 --")]
    public void MacPrefix_TryParse_RefusesWhatIsNotHex(string typed) => Assert.False(MacPrefix.TryParse(typed, out _));

    [Fact]
    public async Task PruneNeverApprovedAsync_RemovesStalePendingOnly_AndKeepsApprovedRejectedAndRecent()
    {
        var path = _folder.File("ktizo.db");
        var stale = Mac(1);
        var staleDownloaded = Mac(2);
        var staleDecidedByGit = Mac(3);
        var staleRejectedInOutbox = Mac(4);
        var staleButTouched = Mac(5);
        var recent = Mac(6);
        using (var store = DeviceStore.Open(path, _time))
        {
            await store.RecordAsync(stale, ObservationKind.Request, Address, null, null);
            await store.RecordAsync(staleDownloaded, ObservationKind.Download, Address, null, null);
            await store.RecordAsync(staleDecidedByGit, ObservationKind.Request, Address, null, null);
            await store.RecordAsync(staleRejectedInOutbox, ObservationKind.Request, Address, null, null);
            await store.RecordAsync(staleButTouched, ObservationKind.Request, Address, null, null);
            await store.Writer.ExclusiveAsync(c => Execute(c, $"UPDATE issue_outbox SET status = 3, decision_commit = 'abc' WHERE mac = '{staleRejectedInOutbox}';"), default);
            _time.Advance(TimeSpan.FromDays(31));
            await store.RecordAsync(recent, ObservationKind.Request, Address, null, null);
            // Seen again just now, known only in memory until the prune flushes it.
            Assert.True(store.TryTouch(staleButTouched, ObservationKind.Request, Address, null, default));

            var pruned = await store.PruneNeverApprovedAsync(_time.GetUtcNow() - TimeSpan.FromDays(30), mac => mac == staleDecidedByGit);

            Assert.Equal([stale], pruned);
            Assert.Null(await store.GetAsync(stale));
            Assert.Equal(5, store.Count);
            // Nothing left to prune: a second pass deletes nothing.
            Assert.Empty(await store.PruneNeverApprovedAsync(_time.GetUtcNow() - TimeSpan.FromDays(30), _ => false).ContinueWith(t => t.Result.Where(m => m == stale).ToList()));

            // A pruned machine that comes back is a first sighting again, outbox row and all.
            Assert.True(await store.RecordAsync(stale, ObservationKind.Request, Address, null, null));
        }

        using var reader = new SqliteConnection($"Data Source={path};Pooling=False");
        reader.Open();
        using var command = reader.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM issue_outbox WHERE mac NOT IN (SELECT mac FROM devices);";
        Assert.Equal(0L, command.ExecuteScalar());
    }

    [Fact]
    public async Task ProbeWriteAsync_WhenTheFileCannotGrow_FailsLikeAFirstSighting_AndSucceedsOnceItCan()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        await store.ProbeWriteAsync();
        // SQLITE_FULL, exactly what a full disk answers: the file may not grow past its current size.
        await store.Writer.ExclusiveAsync(c => Execute(c, "PRAGMA max_page_count = 1;"), default);

        var full = await Assert.ThrowsAsync<SqliteException>(() => store.ProbeWriteAsync());
        Assert.Equal(13, full.SqliteErrorCode);
        Exception? sighting = null;
        for (var i = 0; i < 200 && sighting is null; i++)
        {
            sighting = await Record.ExceptionAsync(() => store.RecordAsync(Mac(i), ObservationKind.Request, Address, null, null));
        }

        Assert.IsType<SqliteException>(sighting);

        await store.Writer.ExclusiveAsync(c => Execute(c, "PRAGMA max_page_count = 1073741823;"), default);
        await store.ProbeWriteAsync();
        Assert.True(await store.RecordAsync(Mac(1000), ObservationKind.Request, Address, null, null));
    }

    private static int Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
