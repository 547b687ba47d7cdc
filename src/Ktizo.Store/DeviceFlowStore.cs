using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>What the device-flow tables held at start-up, for <see cref="DeviceFlowBook.Restore"/>.</summary>
public sealed record DeviceFlowState(IReadOnlyList<DeviceFlow> Flows, IReadOnlyList<IssuedToken> Tokens, IReadOnlyList<MacAddress> IssuedMacs);

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

            return new DeviceFlowState(ReadFlows(connection), ReadTokens(connection), ReadIssued(connection));
        }, cancellationToken);

    /// <summary>Records a new flow (and drops expired ones in the same commit).</summary>
    public Task AddFlowAsync(DeviceFlow flow, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var prune = batch.Command("DELETE FROM device_flows WHERE expires <= $now;", "$now");
            prune.Parameters[0].Value = flow.StartedAt.ToUnixTimeMilliseconds();
            prune.ExecuteNonQuery();
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
        _writer.WriteAsync(batch =>
        {
            var command = batch.Command("UPDATE device_flows SET confirmed = 1 WHERE code_hash = $hash;", "$hash");
            command.Parameters[0].Value = codeHash;
            return command.ExecuteNonQuery();
        }, cancellationToken);

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
        _writer.WriteAsync(batch =>
        {
            var command = batch.Command("DELETE FROM device_auth_issued WHERE mac = $mac;", "$mac");
            command.Parameters[0].Value = mac.ToString();
            return command.ExecuteNonQuery();
        }, cancellationToken);

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
