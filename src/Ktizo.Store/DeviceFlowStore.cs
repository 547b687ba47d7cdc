using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>What the device-flow tables held at start-up, for <see cref="DeviceFlowBook.Restore"/>.</summary>
public sealed record DeviceFlowState(IReadOnlyList<DeviceFlow> Flows, IReadOnlyList<IssuedToken> Tokens, IReadOnlyList<MacAddress> IssuedMacs)
{
    /// <summary>The <c>deviceAuthRearm</c> value last applied per MAC.</summary>
    public IReadOnlyDictionary<MacAddress, string> AppliedRearms { get; init; } = new Dictionary<MacAddress, string>();
}

/// <summary>A re-arm a served commit asks for: the device file's <c>deviceAuthRearm</c> for <paramref name="Mac"/>.</summary>
public sealed record GitRearm(MacAddress Mac, string Value);

/// <summary>
/// The device flows on the device store's SQLite file (schema 4, <see cref="DeviceFlowSchema"/>). Every write
/// joins the store's group commit, as first sightings do, and returns once durable: a flow is on disk before
/// its device code is handed out, and a token's issue before the token is, so a restart continues a flow and
/// never issues a spent device code again.
/// </summary>
public sealed class DeviceFlowStore
{
    private readonly StoreWriter _writer;

    private DeviceFlowStore(StoreWriter writer) => _writer = writer;

    /// <summary>Opens the flows of <paramref name="store"/>, which must outlive it.</summary>
    public static DeviceFlowStore Open(DeviceStore store) => new(store.Writer);

    /// <summary>Deletes what expired before <paramref name="now"/> and reads the rest.</summary>
    public Task<DeviceFlowState> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync(connection =>
        {
            var ms = now.ToUnixTimeMilliseconds();
            using (var prune = connection.CreateCommand())
            {
                prune.CommandText = "DELETE FROM device_flows WHERE expires <= $now; DELETE FROM device_tokens WHERE expires <= $now;";
                prune.Parameters.AddWithValue("$now", ms);
                prune.ExecuteNonQuery();
            }

            return new DeviceFlowState(ReadFlows(connection), ReadTokens(connection), ReadIssued(connection)) { AppliedRearms = ReadRearms(connection) };
        }, cancellationToken);

    /// <summary>Records a new flow (and drops expired ones in the same commit).</summary>
    public Task AddFlowAsync(DeviceFlow flow, CancellationToken cancellationToken) => AddFlowAsync(flow, contested: false, cancellationToken);

    /// <summary>
    /// Records a new flow (and drops expired ones in the same commit). <paramref name="contested"/>: another flow
    /// of the MAC was live, so the MAC's second-claimant episode is recorded in the same commit: a new one when
    /// the last such flow is older than a device-code lifetime (the flows it met have expired), else the
    /// running one is extended. Episodes quiet for <see cref="ContestRetention"/> are deleted.
    /// </summary>
    public Task AddFlowAsync(DeviceFlow flow, bool contested, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var now = flow.StartedAt.ToUnixTimeMilliseconds();
            var prune = batch.Command("DELETE FROM device_flows WHERE expires <= $now;", "$now");
            prune.Parameters[0].Value = now;
            prune.ExecuteNonQuery();
            if (contested)
            {
                RecordContest(batch, flow.Mac, now, (long)(flow.ExpiresAt - flow.StartedAt).TotalMilliseconds);
            }

            var insert = batch.Command(
                """
                INSERT INTO device_flows (code_hash, mac, uuid, user_code, source, started, expires, interval_s, confirmed, issued)
                VALUES ($hash, $mac, $uuid, $user, $source, $started, $expires, $interval, $confirmed, 0);
                """,
                "$hash", "$mac", "$uuid", "$user", "$source", "$started", "$expires", "$interval", "$confirmed");
            insert.Parameters[0].Value = flow.CodeHash;
            insert.Parameters[1].Value = flow.Mac.ToString();
            insert.Parameters[2].Value = (object?)flow.Uuid ?? DBNull.Value;
            insert.Parameters[3].Value = flow.UserCode;
            insert.Parameters[4].Value = (object?)flow.Source ?? DBNull.Value;
            insert.Parameters[5].Value = flow.StartedAt.ToUnixTimeMilliseconds();
            insert.Parameters[6].Value = flow.ExpiresAt.ToUnixTimeMilliseconds();
            insert.Parameters[7].Value = (int)flow.Interval.TotalSeconds;
            insert.Parameters[8].Value = flow.Confirmed ? 1 : 0;
            return insert.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>Records that an administrator confirmed the flow.</summary>
    public Task ConfirmAsync(string codeHash, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch => batch.Execute("UPDATE device_flows SET confirmed = 1 WHERE code_hash = $hash;", "$hash", codeHash), cancellationToken);

    /// <summary>Records a token's issue in one commit: the flow spent, the token's hash, the MAC as issued.</summary>
    public Task IssueAsync(DeviceFlow flow, IssuedToken token, DateTimeOffset issuedAt, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var spend = batch.Command("UPDATE device_flows SET issued = 1 WHERE code_hash = $hash;", "$hash");
            spend.Parameters[0].Value = flow.CodeHash;
            spend.ExecuteNonQuery();
            var insert = batch.Command("INSERT INTO device_tokens (token_hash, mac, expires) VALUES ($hash, $mac, $expires);", "$hash", "$mac", "$expires");
            insert.Parameters[0].Value = token.TokenHash;
            insert.Parameters[1].Value = token.Mac.ToString();
            insert.Parameters[2].Value = token.ExpiresAt.ToUnixTimeMilliseconds();
            insert.ExecuteNonQuery();
            var issued = batch.Command("INSERT OR REPLACE INTO device_auth_issued (mac, issued_at) VALUES ($mac, $at);", "$mac", "$at");
            issued.Parameters[0].Value = token.Mac.ToString();
            issued.Parameters[1].Value = issuedAt.ToUnixTimeMilliseconds();
            return issued.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>Records an administrator's re-arm: the MAC's next single claimant gets a token in <c>first</c> mode.</summary>
    public Task RearmAsync(MacAddress mac, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch => batch.Execute("DELETE FROM device_auth_issued WHERE mac = $mac;", "$mac", mac.ToString()), cancellationToken);

    /// <summary>How long a reported or unreported second-claimant episode is kept after its last flow.</summary>
    public static readonly TimeSpan ContestRetention = TimeSpan.FromDays(1);

    /// <summary>
    /// Applies re-arms a served commit carries, in one commit: each MAC forgets its issued token (as
    /// <see cref="RearmAsync"/>) and its value is recorded as applied, with <paramref name="commit"/>, so the
    /// same value never re-arms it again, across restarts too.
    /// </summary>
    public Task ApplyRearmsAsync(IReadOnlyList<GitRearm> rearms, string commit, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var forget = batch.Command("DELETE FROM device_auth_issued WHERE mac = $mac;", "$mac");
            var record = batch.Command(
                "INSERT OR REPLACE INTO device_auth_rearms (mac, value, commit_sha, applied_at) VALUES ($mac, $value, $commit, $at);",
                "$mac", "$value", "$commit", "$at");
            foreach (var rearm in rearms)
            {
                forget.Parameters[0].Value = rearm.Mac.ToString();
                forget.ExecuteNonQuery();
                record.Parameters[0].Value = rearm.Mac.ToString();
                record.Parameters[1].Value = rearm.Value;
                record.Parameters[2].Value = commit;
                record.Parameters[3].Value = at.ToUnixTimeMilliseconds();
                record.ExecuteNonQuery();
            }

            return rearms.Count;
        }, cancellationToken);

    private static void RecordContest(WriteBatch batch, MacAddress mac, long now, long episodeGap)
    {
        var prune = batch.Command("DELETE FROM device_contests WHERE last <= $before;", "$before");
        prune.Parameters[0].Value = now - (long)ContestRetention.TotalMilliseconds;
        prune.ExecuteNonQuery();
        var upsert = batch.Command(
            """
            INSERT INTO device_contests (mac, since, last, reported) VALUES ($mac, $now, $now, 0)
            ON CONFLICT (mac) DO UPDATE SET
                since = CASE WHEN $now - last >= $gap THEN $now ELSE since END,
                reported = CASE WHEN $now - last >= $gap THEN 0 ELSE reported END,
                last = MAX(last, $now);
            """,
            "$mac", "$now", "$gap");
        upsert.Parameters[0].Value = mac.ToString();
        upsert.Parameters[1].Value = now;
        upsert.Parameters[2].Value = episodeGap;
        upsert.ExecuteNonQuery();
    }

    private static Dictionary<MacAddress, string> ReadRearms(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT mac, value FROM device_auth_rearms;";
        using var reader = command.ExecuteReader();
        var applied = new Dictionary<MacAddress, string>();
        while (reader.Read())
        {
            if (MacAddress.TryParse(reader.GetString(0), out var mac))
            {
                applied[mac] = reader.GetString(1);
            }
        }

        return applied;
    }

    private static List<DeviceFlow> ReadFlows(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT code_hash, mac, uuid, user_code, source, started, expires, interval_s, confirmed, issued FROM device_flows ORDER BY started;";
        using var reader = command.ExecuteReader();
        var flows = new List<DeviceFlow>();
        while (reader.Read())
        {
            if (!MacAddress.TryParse(reader.GetString(1), out var mac))
            {
                continue;
            }

            flows.Add(new DeviceFlow
            {
                CodeHash = reader.GetString(0),
                Mac = mac,
                Uuid = reader.IsDBNull(2) ? null : reader.GetString(2),
                UserCode = reader.GetString(3),
                Source = reader.IsDBNull(4) ? null : reader.GetString(4),
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                Interval = TimeSpan.FromSeconds(reader.GetInt32(7)),
                Confirmed = reader.GetInt32(8) != 0,
                Issued = reader.GetInt32(9) != 0,
            });
        }

        return flows;
    }

    private static List<IssuedToken> ReadTokens(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT token_hash, mac, expires FROM device_tokens;";
        using var reader = command.ExecuteReader();
        var tokens = new List<IssuedToken>();
        while (reader.Read())
        {
            if (MacAddress.TryParse(reader.GetString(1), out var mac))
            {
                tokens.Add(new IssuedToken(reader.GetString(0), mac, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }
        }

        return tokens;
    }

    private static List<MacAddress> ReadIssued(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT mac FROM device_auth_issued;";
        using var reader = command.ExecuteReader();
        var macs = new List<MacAddress>();
        while (reader.Read())
        {
            if (MacAddress.TryParse(reader.GetString(0), out var mac))
            {
                macs.Add(mac);
            }
        }

        return macs;
    }
}
