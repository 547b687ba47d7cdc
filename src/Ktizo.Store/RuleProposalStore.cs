using System.Net;
using Ktizo.Core;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>Where a rule's proposal for one MAC stands.</summary>
public static class RuleProposalStates
{
    /// <summary>Recorded, nothing created yet (or the gatekeeper stopped before it could say what it created).</summary>
    public const string Claimed = "claimed";

    /// <summary>The approving change exists (pull request or branch); a person merges it.</summary>
    public const string Proposed = "proposed";

    /// <summary>An <c>action: merge</c> pull request waiting for its validate check.</summary>
    public const string AwaitingCheck = "awaiting-check";

    /// <summary>Merged (GitHub) or fast-forwarded (local repository).</summary>
    public const string Merged = "merged";

    /// <summary>The check failed: never merged; the pull request stays open for a person.</summary>
    public const string CheckFailed = "check-failed";

    /// <summary>
    /// Every attempt to create the proposal failed (GitHub or the local git write): not retried any more; its values stay
    /// taken, since a person approves it by hand.
    /// </summary>
    public const string Failed = "failed";

    /// <summary>Nothing was created (no free address or hostname, the validator refused it): its values are free again.</summary>
    public const string Refused = "refused";
}

/// <summary>One row of <c>rule_proposals</c>.</summary>
public sealed record RuleProposalRecord(
    MacAddress Mac,
    string Rule,
    string Action,
    string? Hostname,
    string? Address,
    string State,
    int? PullRequest,
    string? Branch,
    string? HeadSha,
    string? Detail,
    DateTimeOffset Created)
{
    /// <summary>Failed attempts to create the proposal so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the row last changed: a failed claim's last attempt.</summary>
    public DateTimeOffset Updated { get; init; }
}

/// <summary>A machine seen but never proposed by a rule: what a rule matches on.</summary>
public sealed record RuleCandidate(MacAddress Mac, string? Uuid, IPAddress? Source, DateTimeOffset FirstSeen);

/// <summary>
/// The approval rules' table on the device store's SQLite file (<see cref="RuleProposalSchema"/>). Every write joins the
/// store's group commit and returns once durable: a claim is on disk before its pull request or branch is created.
/// </summary>
public sealed class RuleProposalStore
{
    private const string Columns = "mac, rule, action, hostname, address, state, pr_number, branch, head_sha, detail, created";
    private const string ListColumns = Columns + ", attempts, updated";
    private readonly StoreWriter _writer;

    private RuleProposalStore(StoreWriter writer) => _writer = writer;

    /// <summary>Opens the table of <paramref name="store"/>, which must outlive it.</summary>
    public static RuleProposalStore Open(DeviceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new(store.Writer);
    }

    /// <summary>Records a claim; false when the MAC has a row already (a rule acted on it before: never twice).</summary>
    public Task<bool> ClaimAsync(RuleProposalRecord claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return _writer.WriteAsync(batch =>
        {
            var insert = batch.Command(
                $"INSERT OR IGNORE INTO rule_proposals ({Columns}, updated) VALUES ($mac, $rule, $action, $hostname, $address, $state, $pr, $branch, $head, $detail, $created, $created);",
                "$mac", "$rule", "$action", "$hostname", "$address", "$state", "$pr", "$branch", "$head", "$detail", "$created");
            insert.Parameters[0].Value = claim.Mac.ToString();
            insert.Parameters[1].Value = claim.Rule;
            insert.Parameters[2].Value = claim.Action;
            insert.Parameters[3].Value = (object?)claim.Hostname ?? DBNull.Value;
            insert.Parameters[4].Value = (object?)claim.Address ?? DBNull.Value;
            insert.Parameters[5].Value = claim.State;
            insert.Parameters[6].Value = (object?)claim.PullRequest ?? DBNull.Value;
            insert.Parameters[7].Value = (object?)claim.Branch ?? DBNull.Value;
            insert.Parameters[8].Value = (object?)claim.HeadSha ?? DBNull.Value;
            insert.Parameters[9].Value = (object?)claim.Detail ?? DBNull.Value;
            insert.Parameters[10].Value = now.ToUnixTimeMilliseconds();
            return insert.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    /// <summary>Moves a row on: its state, and what was created (null leaves a value as it was).</summary>
    public Task UpdateAsync(
        MacAddress mac, string state, DateTimeOffset now, CancellationToken cancellationToken,
        int? pullRequest = null, string? branch = null, string? headSha = null, string? detail = null) =>
        _writer.WriteAsync(batch =>
        {
            var update = batch.Command(
                """
                UPDATE rule_proposals SET state = $state, pr_number = COALESCE($pr, pr_number), branch = COALESCE($branch, branch),
                    head_sha = COALESCE($head, head_sha), detail = COALESCE($detail, detail), updated = $now
                WHERE mac = $mac;
                """,
                "$mac", "$state", "$pr", "$branch", "$head", "$detail", "$now");
            update.Parameters[0].Value = mac.ToString();
            update.Parameters[1].Value = state;
            update.Parameters[2].Value = (object?)pullRequest ?? DBNull.Value;
            update.Parameters[3].Value = (object?)branch ?? DBNull.Value;
            update.Parameters[4].Value = (object?)headSha ?? DBNull.Value;
            update.Parameters[5].Value = (object?)detail ?? DBNull.Value;
            update.Parameters[6].Value = now.ToUnixTimeMilliseconds();
            return update.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// Counts one more failed attempt of the claim of <paramref name="mac"/> and moves it to <paramref name="state"/>
    /// (still <see cref="RuleProposalStates.Claimed"/> to retry, or <see cref="RuleProposalStates.Failed"/>). Returns the attempts so far.
    /// </summary>
    public Task<int> RecordFailureAsync(MacAddress mac, string state, string detail, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var update = batch.Command(
                "UPDATE rule_proposals SET state = $state, attempts = attempts + 1, detail = $detail, updated = $now WHERE mac = $mac RETURNING attempts;",
                "$mac", "$state", "$detail", "$now");
            update.Parameters[0].Value = mac.ToString();
            update.Parameters[1].Value = state;
            update.Parameters[2].Value = detail;
            update.Parameters[3].Value = now.ToUnixTimeMilliseconds();
            return update.ExecuteScalar() is { } attempts ? Convert.ToInt32(attempts, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }, cancellationToken);

    /// <summary>Every row, oldest first (one per MAC a rule acted on: small).</summary>
    public Task<IReadOnlyList<RuleProposalRecord>> ListAsync(CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync<IReadOnlyList<RuleProposalRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {ListColumns} FROM rule_proposals ORDER BY created, mac;";
            using var reader = command.ExecuteReader();
            var rows = new List<RuleProposalRecord>();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    rows.Add(new RuleProposalRecord(
                        mac, reader.GetString(1), reader.GetString(2), Text(reader, 3), Text(reader, 4), reader.GetString(5),
                        reader.IsDBNull(6) ? null : reader.GetInt32(6), Text(reader, 7), Text(reader, 8), Text(reader, 9),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)))
                    {
                        Attempts = reader.GetInt32(11),
                        Updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
                    });
                }
            }

            return rows;
        }, cancellationToken);

    /// <summary>
    /// Machines seen, never given a config and never acted on by a rule, the <paramref name="limit"/> most recently first
    /// seen (a first sighting is on disk before it is answered): the ones a rule may still match. Newest, so machines
    /// that no rule matched long ago cannot crowd out the ones booting now.
    /// </summary>
    public Task<IReadOnlyList<RuleCandidate>> CandidatesAsync(int limit, CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync<IReadOnlyList<RuleCandidate>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT d.mac, d.uuid, d.last_address, d.first_seen FROM devices d
                LEFT JOIN rule_proposals r ON r.mac = d.mac
                WHERE r.mac IS NULL AND d.download_count = 0
                ORDER BY d.first_seen DESC, d.mac LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<RuleCandidate>();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    var source = Text(reader, 2) is { } text && IPAddress.TryParse(text, out var address) ? address : null;
                    rows.Add(new RuleCandidate(mac, Text(reader, 1), source, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
                }
            }

            return rows;
        }, cancellationToken);

    private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
