using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store.Tests;

/// <summary>
/// The outbox states have names a person reading the file sees (schema 3), the same as <see cref="OutboxState"/>,
/// and a store written before them (schema 2) opens with every row as it was.
/// </summary>
public sealed class OutboxStateSchemaTests : IDisposable
{
    private static readonly MacAddress Unjudged = MacAddress.Parse("52:54:00:00:00:01");
    private static readonly MacAddress Filed = MacAddress.Parse("52:54:00:00:00:02");
    private static readonly MacAddress Approved = MacAddress.Parse("52:54:00:00:00:03");
    private static readonly MacAddress Rejected = MacAddress.Parse("52:54:00:00:00:04");
    private static readonly MacAddress Downloaded = MacAddress.Parse("52:54:00:00:00:05");

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_NamesEveryOutboxState_AsTheEnumDoes()
    {
        var path = _folder.File("ktizo.db");
        using (DeviceStore.Open(path))
        {
        }

        using var connection = Connect(path);
        var named = Rows(connection, "SELECT code, name FROM issue_outbox_states ORDER BY code;")
            .Select(r => ((long)r[0]!, (string)r[1]!))
            .ToList();
        var expected = Enum.GetValues<OutboxState>().Select(s => ((long)s, s.ToString().ToLowerInvariant())).ToList();
        Assert.Equal(expected, named);
    }

    [Fact]
    public async Task Open_RefusesAStatusWithoutAName()
    {
        var path = _folder.File("ktizo.db");
        using (var store = DeviceStore.Open(path))
        {
            await store.RecordAsync(Unjudged, ObservationKind.Request, IPAddress.Loopback, null, null);
        }

        using var connection = Connect(path);
        var error = Assert.Throws<SqliteException>(() => Execute(connection, "UPDATE issue_outbox SET status = 7;"));
        Assert.Contains("CHECK", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AStoreOfSchema2_KeepsEveryOutboxRow_AndShowsItsStateByName()
    {
        var path = _folder.File("ktizo.db");
        using (var connection = Connect(path))
        {
            StoreSchema.Apply(connection, 2);
            Execute(connection, """
                INSERT INTO devices (mac, first_seen, last_seen) VALUES
                    ('52:54:00:00:00:01', 1000, 1000), ('52:54:00:00:00:02', 2000, 2000),
                    ('52:54:00:00:00:03', 3000, 3000), ('52:54:00:00:00:04', 4000, 4000);
                UPDATE issue_outbox SET status = 1, issue_number = 7 WHERE mac = '52:54:00:00:00:02';
                UPDATE issue_outbox SET status = 2, issue_number = 8, decision_commit = 'abc', decision_pr = 12 WHERE mac = '52:54:00:00:00:03';
                UPDATE issue_outbox SET status = 3, issue_number = 9, issue_closed = 1, decision_commit = 'def' WHERE mac = '52:54:00:00:00:04';
                """);
        }

        using (var store = DeviceStore.Open(path))
        using (var outbox = SqliteIssueOutbox.Open(store))
        {
            var open = await outbox.ListOpenIssuesAsync(default);
            Assert.Equal([(Filed, 7, null), (Approved, 8, new DeviceDecision(DeviceStatus.Approved, "abc", 12))],
                open.Select(f => (f.Sighting.Mac, f.IssueNumber, f.Decision)));

            // The trigger came back: a first sighting enters the outbox, unjudged or (downloaded) approved.
            await store.RecordAsync(Downloaded, ObservationKind.Download, IPAddress.Loopback, null, null);
        }

        using var reader = Connect(path);
        Assert.Equal(4L, Rows(reader, "PRAGMA user_version;").Single()[0]);
        var named = Rows(reader, "SELECT mac, state, issue_number, issue_closed, decision_commit, decision_pr FROM issue_outbox_named ORDER BY mac;");
        Assert.Equal(
            [
                [Unjudged.ToString(), "unjudged", null, 0L, null, null],
                [Filed.ToString(), "pending", 7L, 0L, null, null],
                [Approved.ToString(), "approved", 8L, 0L, "abc", 12L],
                [Rejected.ToString(), "rejected", 9L, 1L, "def", null],
                [Downloaded.ToString(), "approved", null, 0L, null, null],
            ],
            named);
    }

    private static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<object?[]> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
