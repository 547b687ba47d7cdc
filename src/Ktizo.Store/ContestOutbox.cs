using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Ktizo.Core.Registry;

namespace Ktizo.Store;

/// <summary>
/// <see cref="IContestOutbox"/> on the device store (table <c>device_contests</c>, written by
/// <see cref="DeviceFlowStore.AddFlowAsync(DeviceFlow, bool, CancellationToken)"/> in the flow's own commit),
/// joined with the issue outbox for the MAC's issue, open or closed. The live flows are the gatekeeper's to add.
/// </summary>
public sealed class SqliteContestOutbox : IContestOutbox
{
    private readonly StoreWriter _writer;

    private SqliteContestOutbox(StoreWriter writer) => _writer = writer;

    /// <summary>Opens the queue of <paramref name="store"/>, which must outlive it.</summary>
    public static SqliteContestOutbox Open(DeviceStore store) => new(store.Writer);

    public Task<IReadOnlyList<ContestedMac>> ListDueAsync(int limit, CancellationToken cancellationToken) =>
        _writer.ExclusiveAsync<IReadOnlyList<ContestedMac>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT c.mac, c.since, o.issue_number,
                       o.status IN ({(int)OutboxState.Unjudged}, {(int)OutboxState.Pending}) AND o.issue_number IS NULL
                FROM device_contests c LEFT JOIN issue_outbox o ON o.mac = c.mac
                WHERE c.reported = 0
                ORDER BY c.since, c.mac
                LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
            using var reader = command.ExecuteReader();
            var due = new List<ContestedMac>();
            while (reader.Read())
            {
                if (MacAddress.TryParse(reader.GetString(0), out var mac))
                {
                    due.Add(new ContestedMac(
                        mac,
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                        reader.IsDBNull(2) ? null : reader.GetInt32(2),
                        !reader.IsDBNull(3) && reader.GetInt64(3) != 0));
                }
            }

            return due;
        }, cancellationToken);

    public Task MarkReportedAsync(MacAddress mac, DateTimeOffset since, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch =>
        {
            var command = batch.Command("UPDATE device_contests SET reported = 1 WHERE mac = $mac AND since = $since;", "$mac", "$since");
            command.Parameters[0].Value = mac.ToString();
            command.Parameters[1].Value = since.ToUnixTimeMilliseconds();
            return command.ExecuteNonQuery();
        }, cancellationToken);
}
