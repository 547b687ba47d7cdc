using System.Globalization;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>A device whose open issue a commit has just decided: what the sync loop hands to GitHub.</summary>
public sealed record DecidedIssue(MacAddress Mac, int IssueNumber, DeviceDecision Decision);

/// <summary>
/// <see cref="IIssueOutbox"/> on the device store's SQLite file (table <c>issue_outbox</c>, states named by <see cref="OutboxState"/>).
/// <para>
/// A row appears with the device's first sighting (a trigger on <c>devices</c>, same statement, so it is
/// as durable as the sighting), in state "not yet judged": only a commit says whether a device is
/// pending. <see cref="ClassifyAsync"/> judges new rows against the served commit and
/// <see cref="ApplyCommitAsync"/> re-judges every row when a commit is swapped in, recording decisions
/// (approved/rejected by commit and pull request) and clearing the issue number of a device that is
/// pending again after its issue was closed.
/// </para>
/// <para>
/// It shares the device store's connection (<see cref="StoreWriter"/>): reads run alone on it, and each write
/// joins the store's next group commit (one transaction and fsync with <c>synchronous=FULL</c>, shared with
/// first sightings) and returns only once durable, so every method is safe concurrently and after a crash,
/// and a boot storm's sightings never wait on the file's lock behind it.
/// </para>
/// </summary>
public sealed class SqliteIssueOutbox : IIssueOutbox, IDisposable
{
    // The codes of OutboxState as the SQL below writes them.
    private static readonly string Unjudged = Code(OutboxState.Unjudged);
    private static readonly string Pending = Code(OutboxState.Pending);

    private readonly StoreWriter _writer;
    private volatile bool _disposed;

    private SqliteIssueOutbox(StoreWriter writer) => _writer = writer;

    /// <summary>Opens the outbox of <paramref name="store"/>, which must outlive it.</summary>
    public static SqliteIssueOutbox Open(DeviceStore store)
    {
        var found = store.Writer.Exclusive(connection =>
        {
            using var check = connection.CreateCommand();
            check.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'issue_outbox';";
            return Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture);
        });
        if (found == 0)
        {
            throw new KtizoException($"The device store '{store.Path}' has no issue outbox.");
        }

        return new SqliteIssueOutbox(store.Writer);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<PendingSighting>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT d.mac, d.first_seen, d.last_address, d.uuid, d.last_user_agent
                FROM issue_outbox o JOIN devices d ON d.mac = o.mac
                WHERE o.status = {Pending} AND o.issue_number IS NULL
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
        WriteAsync(batch =>
        {
            var command = batch.Command("UPDATE issue_outbox SET issue_number = $issue, issue_closed = 0 WHERE mac = $mac;", "$mac", "$issue");
            command.Parameters[0].Value = mac.ToString();
            command.Parameters[1].Value = issueNumber;
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<FiledIssue>>(connection =>
        {
            using var command = connection.CreateCommand();
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

                var state = (OutboxState)reader.GetInt32(6);
                DeviceDecision? decision = state is OutboxState.Approved or OutboxState.Rejected && !reader.IsDBNull(7)
                    ? new DeviceDecision(
                        state == OutboxState.Approved ? DeviceStatus.Approved : DeviceStatus.Rejected,
                        reader.GetString(7),
                        reader.IsDBNull(8) ? null : reader.GetInt32(8))
                    : null;
                list.Add(new FiledIssue(ReadSighting(reader, mac, 1), reader.GetInt32(5), decision));
            }

            return list;
        }, cancellationToken);

    /// <inheritdoc />
    public Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken) =>
        WriteAsync(batch =>
        {
            // A device that is pending again (a commit undid its decision while the issue was being closed)
            // loses the number instead, so it is filed anew.
            var command = batch.Command($"""
                UPDATE issue_outbox SET
                    issue_closed = CASE WHEN status = {Pending} THEN 0 ELSE 1 END,
                    issue_number = CASE WHEN status = {Pending} THEN NULL ELSE issue_number END
                WHERE mac = $mac AND issue_number = $issue;
                """, "$mac", "$issue");
            command.Parameters[0].Value = mac.ToString();
            command.Parameters[1].Value = issueNumber;
            return command.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// Judges rows no commit has judged yet (devices first seen since the last swap, or before any
    /// commit was loaded) by the served commit's <paramref name="statusOf"/>. Decides nothing: such a
    /// device has no issue. Returns how many rows were judged.
    /// </summary>
    public Task<int> ClassifyAsync(Func<MacAddress, DeviceStatus> statusOf, CancellationToken cancellationToken) =>
        WriteAsync(batch =>
        {
            var rows = new List<(string Mac, OutboxState State)>();
            using (var select = batch.Connection.CreateCommand())
            {
                select.Transaction = batch.Transaction;
                select.CommandText = $"SELECT mac FROM issue_outbox WHERE status = {Unjudged};";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var text = reader.GetString(0);
                    if (MacAddress.TryParse(text, out var mac))
                    {
                        rows.Add((text, StateOf(statusOf(mac))));
                    }
                }
            }

            if (rows.Count == 0)
            {
                return 0;
            }

            var update = batch.Command($"UPDATE issue_outbox SET status = $status WHERE mac = $mac AND status = {Unjudged};", "$mac", "$status");
            foreach (var (mac, state) in rows)
            {
                update.Parameters[0].Value = mac;
                update.Parameters[1].Value = (int)state;
                update.ExecuteNonQuery();
            }

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
        WriteAsync<IReadOnlyList<DecidedIssue>>(batch =>
        {
            var connection = batch.Connection;
            var transaction = batch.Transaction;
            var rows = new List<(string Mac, MacAddress Parsed, OutboxState State, int? Issue, bool Closed)>();
            using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = "SELECT mac, status, issue_number, issue_closed FROM issue_outbox;";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    if (MacAddress.TryParse(reader.GetString(0), out var mac))
                    {
                        rows.Add((reader.GetString(0), mac, (OutboxState)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt64(3) != 0));
                    }
                }
            }

            using var decide = connection.CreateCommand();
            decide.Transaction = transaction;
            decide.CommandText = "UPDATE issue_outbox SET status = $status, decision_commit = $commit, decision_pr = $pr WHERE mac = $mac;";
            var dMac = decide.Parameters.Add("$mac", SqliteType.Text);
            var dStatus = decide.Parameters.Add("$status", SqliteType.Integer);
            var dCommit = decide.Parameters.Add("$commit", SqliteType.Text);
            var dPr = decide.Parameters.Add("$pr", SqliteType.Integer);

            using var undo = connection.CreateCommand();
            undo.Transaction = transaction;
            undo.CommandText = $"""
                UPDATE issue_outbox SET status = {Pending}, decision_commit = NULL, decision_pr = NULL,
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
                    var state = StateOf(decision.Status);
                    if (state == row.State)
                    {
                        continue;
                    }

                    dMac.Value = row.Mac;
                    dStatus.Value = (int)state;
                    dCommit.Value = decision.Commit;
                    dPr.Value = decision.PullRequest is { } pr ? pr : DBNull.Value;
                    decide.ExecuteNonQuery();
                    if (row.Issue is { } issue && !row.Closed)
                    {
                        result.Add(new DecidedIssue(row.Parsed, issue, decision));
                    }
                }
                else if (row.State != OutboxState.Pending)
                {
                    uMac.Value = row.Mac;
                    undo.ExecuteNonQuery();
                }
            }

            return result;
        }, cancellationToken);

    /// <summary>Later calls throw; the connection is the store's, closed with it.</summary>
    public void Dispose() => _disposed = true;

    private static string Code(OutboxState state) => ((int)state).ToString(CultureInfo.InvariantCulture);

    private static OutboxState StateOf(DeviceStatus status) => status switch
    {
        DeviceStatus.Approved => OutboxState.Approved,
        DeviceStatus.Rejected => OutboxState.Rejected,
        _ => OutboxState.Pending,
    };

    private static PendingSighting ReadSighting(SqliteDataReader reader, MacAddress mac, int firstSeenColumn) => new(
        mac,
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(firstSeenColumn)),
        reader.IsDBNull(firstSeenColumn + 1) ? null : reader.GetString(firstSeenColumn + 1),
        reader.IsDBNull(firstSeenColumn + 2) ? null : reader.GetString(firstSeenColumn + 2),
        reader.IsDBNull(firstSeenColumn + 3) ? null : reader.GetString(firstSeenColumn + 3));

    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer.ExclusiveAsync(read, cancellationToken);
    }

    private Task<T> WriteAsync<T>(Func<WriteBatch, T> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer.WriteAsync(write, cancellationToken);
    }
}
