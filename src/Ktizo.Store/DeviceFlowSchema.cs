namespace Ktizo.Store;

/// <summary>
/// The tables of the OAuth device authorization (docs/device-auth.md): a migration of <see cref="StoreSchema"/>,
/// kept here so the device-flow store reads as one piece. Device codes and tokens are stored only as their
/// SHA-256 (hex): nothing in the file opens a config.
/// </summary>
internal static class DeviceFlowSchema
{
    public const string Migration = """
        CREATE TABLE device_flows (
            code_hash   TEXT    NOT NULL PRIMARY KEY,  -- SHA-256 of the device code
            mac         TEXT    NOT NULL,              -- lower-case colons
            uuid        TEXT,
            user_code   TEXT    NOT NULL,              -- XXXX-XXXX, as shown on the console
            source      TEXT,                          -- address of the device request
            started     INTEGER NOT NULL,              -- unix milliseconds, UTC
            expires     INTEGER NOT NULL,
            interval_s  INTEGER NOT NULL,
            confirmed   INTEGER NOT NULL DEFAULT 0,    -- 1 once an administrator confirmed the user code
            issued      INTEGER NOT NULL DEFAULT 0     -- 1 once a token went to this flow: the code is spent
        );
        CREATE INDEX device_flows_by_expiry ON device_flows (expires);
        CREATE TABLE device_tokens (
            token_hash  TEXT    NOT NULL PRIMARY KEY,  -- SHA-256 of the access token
            mac         TEXT    NOT NULL,
            expires     INTEGER NOT NULL
        );
        CREATE TABLE device_auth_issued (
            mac         TEXT    NOT NULL PRIMARY KEY,  -- a token was issued for it: later flows need a confirmation
            issued_at   INTEGER NOT NULL
        );
        """;

    /// <summary>
    /// Re-arms applied from git (a device file's <c>deviceAuthRearm</c>) and second claimants waiting to be
    /// reported on GitHub: one row per MAC each, so neither grows with the number of flows.
    /// </summary>
    public const string RearmsAndContests = """
        CREATE TABLE device_auth_rearms (
            mac         TEXT    NOT NULL PRIMARY KEY,
            value       TEXT    NOT NULL,              -- the deviceAuthRearm text last applied for the MAC
            commit_sha  TEXT    NOT NULL,              -- the served commit that carried it
            applied_at  INTEGER NOT NULL               -- unix milliseconds, UTC
        );
        CREATE TABLE device_contests (
            mac         TEXT    NOT NULL PRIMARY KEY,
            since       INTEGER NOT NULL,              -- the episode began: a flow started while another of the MAC was live
            last        INTEGER NOT NULL,              -- the latest such flow; a gap of a device-code lifetime ends the episode
            reported    INTEGER NOT NULL DEFAULT 0     -- 1 once the episode was commented on GitHub (or summarised)
        );
        """;
}
