using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>The served history and the render changes behind drift (issue 20): coalesced, bounded, kept across a restart.</summary>
public sealed class ServedHistoryTests : IDisposable
{
    private static readonly MacAddress Mac = MacAddress.Parse("52:54:00:00:20:01");
    private static readonly MacAddress Other = MacAddress.Parse("52:54:00:00:20:02");
    private static readonly IPAddress Address = IPAddress.Parse("10.0.5.20");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RecordServed_WhenTheSameBytesAreServedAgain_AddsNoRow()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);

        Assert.True(store.RecordServed(Mac, "c1", "hash-1", 7, Address));
        Assert.False(store.RecordServed(Mac, "c2", "hash-1", null, Address));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(store.RecordServed(Mac, "c3", "hash-2", null, IPAddress.Parse("10.0.5.21")));
        Assert.False(store.RecordServed(Mac, "c3", "hash-2", null, Address));

        var history = await store.HistoryAsync(Mac, 10);
        Assert.Equal(["hash-2", "hash-1"], history.Select(h => h.ConfigHash));
        Assert.Equal(["c3", "c1"], history.Select(h => h.Commit));
        Assert.Equal([null, 7], history.Select(h => h.PullRequest));
        Assert.Equal("10.0.5.21", history[0].Address);
        Assert.Equal(_time.GetUtcNow(), history[0].Time);
        Assert.Equal("c3", store.LastServed(Mac)!.Commit);
        Assert.Null(store.LastServed(Other));
    }

    [Fact]
    public async Task RecordServed_KeepsTheConfiguredNumberOfEntriesPerMachine_NewestFirstInPages()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time, historyEntries: 3);
        for (var i = 1; i <= 7; i++)
        {
            store.RecordServed(Mac, $"c{i}", $"hash-{i}", null, Address);
            store.RecordServed(Other, $"c{i}", $"other-{i}", null, Address);
        }

        var all = await store.HistoryAsync(Mac, 100);
        Assert.Equal(["hash-7", "hash-6", "hash-5"], all.Select(h => h.ConfigHash));
        var second = await store.HistoryAsync(Mac, 2, before: all[1].Id);
        Assert.Equal(["hash-5"], second.Select(h => h.ConfigHash));
        Assert.Equal(3, (await store.HistoryAsync(Other, 100)).Count);
        Assert.Equal(6L, Count("SELECT COUNT(*) FROM served_history;"));
    }

    [Fact]
    public async Task RecordRenderChanges_RecordsOnlyMachinesWhoseHashChanged_AndSurvivesARestart()
    {
        using (var store = DeviceStore.Open(_folder.File("ktizo.db"), _time))
        {
            Assert.Equal(2, await store.RecordRenderChangesAsync("c1", null, [(Mac, "a1"), (Other, "b1")]));
            Assert.Equal(0, await store.RecordRenderChangesAsync("c2", null, [(Mac, "a1"), (Other, "b1")]));
            Assert.Equal(1, await store.RecordRenderChangesAsync("c3", 12, [(Mac, "a2"), (Other, "b1")]));
            store.RecordServed(Mac, "c1", "a1", null, Address);
        }

        using (var store = DeviceStore.Open(_folder.File("ktizo.db"), _time))
        {
            // Restarted: the same commit rendered again records nothing; the last download is known without a query.
            Assert.Equal(0, await store.RecordRenderChangesAsync("c3", 12, [(Mac, "a2"), (Other, "b1")]));
            Assert.Equal("a1", store.LastServed(Mac)!.ConfigHash);
            Assert.False(store.RecordServed(Mac, "c3", "a1", null, Address));

            var changes = await store.RenderChangesAsync([Mac, Other]);
            Assert.Equal(["c1", "c3"], changes[Mac].Select(c => c.Commit));
            Assert.Equal(12, changes[Mac][1].PullRequest);
            Assert.Equal(["c1"], changes[Other].Select(c => c.Commit));
        }
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_folder.File("ktizo.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
