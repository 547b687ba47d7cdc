namespace Ktizo.Store;

/// <summary>
/// What each machine got and when git changed what it would get (docs/drift.md): a migration of
/// <see cref="StoreSchema"/>, kept beside the code that reads it. Only hashes: a config's bytes hold the
/// cluster's secrets and never enter the file.
/// </summary>
internal static class ServedHistorySchema
{
    public const string Migration = """
        CREATE TABLE served_history (
            id           INTEGER NOT NULL PRIMARY KEY,  -- order of recording (times can tie)
            mac          TEXT    NOT NULL,              -- lower-case colons
            commit_sha   TEXT    NOT NULL,              -- the commit the answer came from
            config_hash  TEXT    NOT NULL,              -- SHA-256 of the bytes (the ETag without quotes)
            pull_request INTEGER,                       -- the PR the commit's subject names, when it names one
            served_at    INTEGER NOT NULL,              -- unix milliseconds, UTC
            address      TEXT                           -- source address of the download
        );
        CREATE INDEX served_history_by_mac ON served_history (mac, id);
        CREATE TABLE render_changes (
            id           INTEGER NOT NULL PRIMARY KEY,
            mac          TEXT    NOT NULL,
            commit_sha   TEXT    NOT NULL,              -- the first served commit rendering config_hash for mac
            config_hash  TEXT    NOT NULL,
            pull_request INTEGER,
            changed_at   INTEGER NOT NULL
        );
        CREATE INDEX render_changes_by_mac ON render_changes (mac, id);
        """;
}
