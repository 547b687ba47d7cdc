namespace Ktizo.Store;

/// <summary>
/// The tables of outgoing webhook notifications (docs/gatekeeper.md, Notifications): a migration of
/// <see cref="StoreSchema"/>. One row per event per receiver, delivered in <c>seq</c> order per receiver and deleted
/// once the receiver took it; first sightings beyond the fold threshold only count in <c>notification_folds</c>
/// until their minute is over.
/// </summary>
internal static class NotificationSchema
{
    public const string Migration = """
        CREATE TABLE notification_outbox (
            seq       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,  -- delivery order per receiver
            receiver  TEXT    NOT NULL,                            -- a hash of the receiver's URL, never the URL
            event_id  TEXT    NOT NULL,                            -- the same on every retry
            type      TEXT    NOT NULL,
            body      BLOB    NOT NULL,                            -- exactly the bytes sent and signed
            created   INTEGER NOT NULL,                            -- unix milliseconds, UTC
            attempts  INTEGER NOT NULL DEFAULT 0,
            UNIQUE (receiver, event_id)
        );
        CREATE INDEX notification_outbox_by_receiver ON notification_outbox (receiver, seq);
        CREATE TABLE notification_folds (
            minute  INTEGER NOT NULL,   -- unix milliseconds of the minute's start, UTC
            type    TEXT    NOT NULL,
            count   INTEGER NOT NULL,
            sample  TEXT    NOT NULL,   -- the first MACs, space-separated
            PRIMARY KEY (minute, type)
        );
        """;

    /// <summary>
    /// First sightings while no commit was served: whether they are pending is decided at the first served commit
    /// (<see cref="NotificationOutbox.ResolveDeferredAsync"/>), one row per MAC.
    /// </summary>
    public const string Deferred = """
        CREATE TABLE notification_deferred (
            mac         TEXT    NOT NULL PRIMARY KEY,  -- lower-case colons
            first_seen  INTEGER NOT NULL               -- unix milliseconds, UTC
        );
        """;
}
