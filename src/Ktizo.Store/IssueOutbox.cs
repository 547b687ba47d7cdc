using System.Globalization;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>A device whose open issue a commit has just decided: what the sync loop hands to GitHub.</summary>
public sealed record DecidedIssue(MacAddress Mac, int IssueNumber, DeviceDecision Decision);

/// <summary>
/// <see cref="IIssueOutbox"/> on the device store's SQLite file (table <c>issue_outbox</c>, schema 2).
/// <para>
/// A row appears with the device's first sighting (a trigger on <c>devices</c>, same statement, so it is
/// as durable as the sighting), in state "not yet judged": only a commit says whether a device is
/// pending. <see cref="ClassifyAsync"/> judges new rows against the served commit and
/// <see cref="ApplyCommitAsync"/> re-judges every row when a commit is swapped in, recording decisions
/// (approved/rejected by commit and pull request) and clearing the issue number of a device that is
/// pending again after its issue was closed.
/// </para>
/// <para>
/// It keeps a connection of its own to the store's file (WAL: readers never block, writers wait on
/// <c>busy_timeout</c>); calls are serialised by a gate and each write is one immediate transaction
/// committed with <c>synchronous=FULL</c>, so every method is safe concurrently and after a crash.
/// </para>
/// </summary>
public sealed class SqliteIssueOutbox : IIssueOutbox, IDisposable
{
    private const int Pending = 1;
    private const int Approved = 2;
    private const int Rejected = 3;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private SqliteIssueOutbox(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens the outbox on the file of <paramref name="store"/> (whose schema is already up to date).</summary>
    public static SqliteIssueOutbox Open(DeviceStore store) => Open(store.Path);

    /// <summary>Opens the outbox on a store file that <see cref="DeviceStore.Open"/> has created.</summary>
    public static SqliteIssueOutbox Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA synchronous = FULL;");
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            using var check = connection.CreateCommand();
            check.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'issue_outbox';";
            if (Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                throw new KtizoException($"The device store '{path}' has no issue outbox; open it with DeviceStore.Open first.");
            }

            return new SqliteIssueOutbox(connection);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new KtizoException($"Cannot open the issue outbox in '{path}': {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken) =>
        WithGateAsync<IReadOnlyList<PendingSighting>>(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT d.mac, d.first_seen, d.last_address, d.uuid, d.last_user_agent
                FROM issue_outbox o JOIN devices d ON d.mac = o.mac
                WHERE o.status = 1 AND o.issue_number IS NULL
                ORDER BY d.first_seen, d.mac
                LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
            var list = new List<PendingSighting>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    list.Add(ReadSighting(reader, mac, 1));
                }
            }

            return list;
        }, cancellationToken);

    /// <inheritdoc />
    public Task RecordIssueAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        WithGateAsync(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "UPDATE issue_outbox SET issue_number = $issue, issue_closed = 0 WHERE mac = $mac;";
            command.Parameters.AddWithValue("$mac", mac.ToString());
            command.Parameters.AddWithValue("$issue", issueNumber);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken) =>
        WithGateAsync<IReadOnlyList<FiledIssue>>(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT d.mac, d.first_seen, d.last_address, d.uuid, d.last_user_agent,
                       o.issue_number, o.status, o.decision_commit, o.decision_pr
                FROM issue_outbox o JOIN devices d ON d.mac = o.mac
                WHERE o.issue_number IS NOT NULL AND o.issue_closed = 0
                ORDER BY d.first_seen, d.mac;
                """;
            var list = new List<FiledIssue>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    continue;
                }

                var status = reader.GetInt32(6);
                DeviceDecision? decision = (status is Approved or Rejected) && !reader.IsDBNull(7)
                    ? new DeviceDecision(
                        status == Approved ? DeviceStatus.Approved : DeviceStatus.Rejected,
                        reader.GetString(7),
                        reader.IsDBNull(8) ? null : reader.GetInt32(8))
                    : null;
                list.Add(new FiledIssue(ReadSighting(reader, mac, 1), reader.GetInt32(5), decision));
            }

            return list;
        }, cancellationToken);

    /// <inheritdoc />
    public Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        WithGateAsync(() =>
        {
            using var command = _connection.CreateCommand();
            // A device that is pending again (a commit undid its decision while the issue was being closed)
            // loses the number instead, so it is filed anew.
            command.CommandText = """
                UPDATE issue_outbox SET
                    issue_closed = CASE WHEN status = 1 THEN 0 ELSE 1 END,
                    issue_number = CASE WHEN status = 1 THEN NULL ELSE issue_number END
                WHERE mac = $mac AND issue_number = $issue;
                """;
            command.Parameters.AddWithValue("$mac", mac.ToString());
            command.Parameters.AddWithValue("$issue", issueNumber);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <summary>
    /// Judges rows no commit has judged yet (devices first seen since the last swap, or before any
    /// commit was loaded) by the served commit's <paramref name="statusOf"/>. Decides nothing: such a
    /// device has no issue. Returns how many rows were judged.
    /// </summary>
    public Task<int> ClassifyAsync(Func<MacAddress, DeviceStatus> statusOf, CancellationToken cancellationToken) =>
        WithGateAsync(() =>
        {
            var rows = new List<(string Mac, int Status)>();
            using (var select = _connection.CreateCommand())
            {
                select.CommandText = "SELECT mac FROM issue_outbox WHERE status = 0;";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var text = reader.GetString(0);
                    if (MacAddress.TryParse(text, out var mac))
                    {
                        rows.Add((text, Code(statusOf(mac))));
                    }
                }
            }

            if (rows.Count == 0)
            {
                return 0;
            }

            using var transaction = _connection.BeginTransaction();
            using var update = _connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE issue_outbox SET status = $status WHERE mac = $mac AND status = 0;";
            var pMac = update.Parameters.Add("$mac", SqliteType.Text);
            var pStatus = update.Parameters.Add("$status", SqliteType.Integer);
            foreach (var (mac, status) in rows)
            {
                pMac.Value = mac;
                pStatus.Value = status;
                update.ExecuteNonQuery();
            }

            transaction.Commit();
            return rows.Count;
        }, cancellationToken);

    /// <summary>
    /// A commit was swapped in: <paramref name="decided"/> holds every device it approves or rejects (with the
    /// commit and pull request that did so); every other device it has seen is pending. Records new decisions,
    /// and clears the issue of a device that is pending again once that issue was closed. Returns the devices
    /// this commit newly decided that have an open issue: the ones to comment on and close.
    /// </summary>
    public Task<IReadOnlyList<DecidedIssue>> ApplyCommitAsync(
        IReadOnlyDictionary<MacAddress, DeviceDecision> decided, CancellationToken cancellationToken) =>
        WithGateAsync<IReadOnlyList<DecidedIssue>>(() =>
        {
            using var transaction = _connection.BeginTransaction();
            var rows = new List<(string Mac, MacAddress Parsed, int Status, int? Issue, bool Closed)>();
            using (var select = _connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = "SELECT mac, status, issue_number, issue_closed FROM issue_outbox;";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    if (MacAddress.TryParse(reader.GetString(0), out var mac))
                    {
                        rows.Add((reader.GetString(0), mac, reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt64(3) != 0));
                    }
                }
            }

            using var decide = _connection.CreateCommand();
            decide.Transaction = transaction;
            decide.CommandText = "UPDATE issue_outbox SET status = $status, decision_commit = $commit, decision_pr = $pr WHERE mac = $mac;";
            var dMac = decide.Parameters.Add("$mac", SqliteType.Text);
            var dStatus = decide.Parameters.Add("$status", SqliteType.Integer);
            var dCommit = decide.Parameters.Add("$commit", SqliteType.Text);
            var dPr = decide.Parameters.Add("$pr", SqliteType.Integer);

            using var undo = _connection.CreateCommand();
            undo.Transaction = transaction;
            undo.CommandText = """
                UPDATE issue_outbox SET status = 1, decision_commit = NULL, decision_pr = NULL,
                    issue_number = CASE WHEN issue_closed = 1 THEN NULL ELSE issue_number END,
                    issue_closed = 0
                WHERE mac = $mac;
                """;
            var uMac = undo.Parameters.Add("$mac", SqliteType.Text);

            var result = new List<DecidedIssue>();
            foreach (var row in rows)
            {
                if (decided.TryGetValue(row.Parsed, out var decision) && decision.Status is DeviceStatus.Approved or DeviceStatus.Rejected)
                {
                    var status = Code(decision.Status);
                    if (status == row.Status)
                    {
                        continue;
                    }

                    dMac.Value = row.Mac;
                    dStatus.Value = status;
                    dCommit.Value = decision.Commit;
                    dPr.Value = decision.PullRequest is { } pr ? pr : DBNull.Value;
                    decide.ExecuteNonQuery();
                    if (row.Issue is { } issue && !row.Closed)
                    {
                        result.Add(new DecidedIssue(row.Parsed, issue, decision));
                    }
                }
                else if (row.Status != Pending)
                {
                    uMac.Value = row.Mac;
                    undo.ExecuteNonQuery();
                }
            }

            transaction.Commit();
            return result;
        }, cancellationToken);

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                _connection.Dispose();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static int Code(DeviceStatus status) => status switch
    {
        DeviceStatus.Approved => Approved,
        DeviceStatus.Rejected => Rejected,
        _ => Pending,
    };

    private static PendingSighting ReadSighting(SqliteDataReader reader, MacAddress mac, int firstSeenColumn) => new(
        mac,
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(firstSeenColumn)),
        reader.IsDBNull(firstSeenColumn + 1) ? null : reader.GetString(firstSeenColumn + 1),
        reader.IsDBNull(firstSeenColumn + 2) ? null : reader.GetString(firstSeenColumn + 2),
        reader.IsDBNull(firstSeenColumn + 3) ? null : reader.GetString(firstSeenColumn + 3));

    private Task WithGateAsync(Func<bool> action, CancellationToken cancellationToken) =>
        WithGateAsync<bool>(action, cancellationToken);

    private async Task<T> WithGateAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
