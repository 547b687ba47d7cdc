using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>
/// The store's schema as an ordered list of migrations, applied in one transaction each and
/// counted in <c>PRAGMA user_version</c>. New tables (the GitHub outbox of issue 4) are a new
/// entry at the end; an entry, once released, never changes.
/// </summary>
internal static class StoreSchema
{
    private static readonly string[] Migrations =
    [
        // 1: what the gatekeeper observes per device, and small facts it must remember across restarts.
        """
        CREATE TABLE devices (
            mac              TEXT    NOT NULL PRIMARY KEY,  -- lower-case colons
            first_seen       INTEGER NOT NULL,              -- unix milliseconds, UTC
            last_seen        INTEGER NOT NULL,
            request_count    INTEGER NOT NULL DEFAULT 0,
            last_address     TEXT,
            last_user_agent  TEXT,
            uuid             TEXT,
            registered       INTEGER NOT NULL DEFAULT 0,    -- 1 once POST /devices/register named it
            last_download    INTEGER,
            download_count   INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,

        // 2: the GitHub outbox (issue 4). One row per device, added by the trigger in the same statement
        // as the device's first sighting, so nothing that was answered can be missing from it.
        """
        CREATE TABLE issue_outbox (
            mac              TEXT    NOT NULL PRIMARY KEY,  -- devices.mac
            status           INTEGER NOT NULL DEFAULT 0,    -- 0 not yet judged by a commit, 1 pending, 2 approved, 3 rejected
            issue_number     INTEGER,                       -- the issue (or digest) carrying the device; NULL = unfiled
            issue_closed     INTEGER NOT NULL DEFAULT 0,    -- 1 once that issue was closed on GitHub
            decision_commit  TEXT,                          -- the commit that approved or rejected it (status 2, 3)
            decision_pr      INTEGER
        );
        CREATE INDEX issue_outbox_by_status ON issue_outbox (status, issue_number);
        CREATE TRIGGER devices_into_issue_outbox AFTER INSERT ON devices
        BEGIN
            INSERT OR IGNORE INTO issue_outbox (mac, status) VALUES (NEW.mac, CASE WHEN NEW.download_count > 0 THEN 2 ELSE 0 END);
        END;
        INSERT OR IGNORE INTO issue_outbox (mac) SELECT mac FROM devices;
        """,

        // 3: the outbox states by name (OutboxState). issue_outbox is rebuilt so its status column may hold only a
        // named state; the rows, the index and the trigger come back as they were, the trigger now naming its states.
        """
        CREATE TABLE issue_outbox_states (
            code  INTEGER NOT NULL PRIMARY KEY,           -- issue_outbox.status
            name  TEXT    NOT NULL UNIQUE
        );
        INSERT INTO issue_outbox_states (code, name) VALUES (0, 'unjudged'), (1, 'pending'), (2, 'approved'), (3, 'rejected');
        DROP TRIGGER devices_into_issue_outbox;
        CREATE TABLE issue_outbox_v3 (
            mac              TEXT    NOT NULL PRIMARY KEY,  -- devices.mac
            status           INTEGER NOT NULL DEFAULT 0     -- issue_outbox_states.code
                             REFERENCES issue_outbox_states (code) CHECK (status IN (0, 1, 2, 3)),
            issue_number     INTEGER,                       -- the issue (or digest) carrying the device; NULL = unfiled
            issue_closed     INTEGER NOT NULL DEFAULT 0,    -- 1 once that issue was closed on GitHub
            decision_commit  TEXT,                          -- the commit that approved or rejected it
            decision_pr      INTEGER
        );
        INSERT INTO issue_outbox_v3 (mac, status, issue_number, issue_closed, decision_commit, decision_pr)
            SELECT mac, status, issue_number, issue_closed, decision_commit, decision_pr FROM issue_outbox;
        DROP TABLE issue_outbox;
        ALTER TABLE issue_outbox_v3 RENAME TO issue_outbox;
        CREATE INDEX issue_outbox_by_status ON issue_outbox (status, issue_number);
        CREATE TRIGGER devices_into_issue_outbox AFTER INSERT ON devices
        BEGIN
            INSERT OR IGNORE INTO issue_outbox (mac, status) VALUES (
                NEW.mac,
                (SELECT code FROM issue_outbox_states WHERE name = CASE WHEN NEW.download_count > 0 THEN 'approved' ELSE 'unjudged' END));
        END;
        CREATE VIEW issue_outbox_named AS
            SELECT o.mac, s.name AS state, o.issue_number, o.issue_closed, o.decision_commit, o.decision_pr
            FROM issue_outbox o JOIN issue_outbox_states s ON s.code = o.status;
        """,

        // 4: the page's newest pending machines and the pruning of stale pending ones both go by last_seen (issue 15).
        """
        CREATE INDEX devices_by_last_seen ON devices (last_seen);
        """,
        // 5: device flows, tokens and issued MACs of the OAuth device authorization (DeviceFlowSchema).
        DeviceFlowSchema.Migration,
        // 6: deviceAuthRearm values applied from git, and second claimants to report on GitHub (DeviceFlowSchema).
        DeviceFlowSchema.RearmsAndContests,
        // 7: outgoing webhook notifications, per receiver, and first sightings folded per minute (NotificationSchema).
        NotificationSchema.Migration,
        // 8: what the approval rules proposed, one row per MAC (RuleProposalSchema).
        RuleProposalSchema.Migration,
        // 9: what each machine was served and when git changed what it renders for it (issue 20, docs/drift.md).
        ServedHistorySchema.Migration,
        // 10: failed attempts of a rule's proposal, retried with backoff (RuleProposalSchema).
        RuleProposalSchema.Attempts,
        // 11: first sightings before any commit was served, announced or not at the first one (NotificationSchema).
        NotificationSchema.Deferred,
    ];

    public static int Version => Migrations.Length;

    public static void Apply(SqliteConnection connection) => Apply(connection, Migrations.Length);

    /// <summary>Applies the migrations up to <paramref name="target"/> (tests build an older store with it).</summary>
    internal static void Apply(SqliteConnection connection, int target)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new Core.KtizoException(
                $"The device store was written by a newer Ktizo (schema {current}, this one knows {Migrations.Length}).");
        }

        for (var version = current; version < target; version++)
        {
            using var transaction = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
