namespace Ktizo.Store;

/// <summary>
/// The table of the approval rules (docs/rules.md): one row per MAC a rule acted on, written before anything is
/// created in git or on GitHub. The primary key is what makes "never twice for one MAC" hold across restarts; the
/// hostname and address of every row that was not refused are taken, so no later proposal reuses them.
/// </summary>
internal static class RuleProposalSchema
{
    public const string Migration = """
        CREATE TABLE rule_proposals (
            mac         TEXT    NOT NULL PRIMARY KEY,  -- lower-case colons
            rule        TEXT    NOT NULL,              -- the rule's name in rules.yaml
            action      TEXT    NOT NULL,              -- propose | merge
            hostname    TEXT,
            address     TEXT,                          -- with prefix length, 10.0.5.100/24
            state       TEXT    NOT NULL,              -- claimed | proposed | awaiting-check | merged | check-failed | refused | failed (schema 10)
            pr_number   INTEGER,                       -- GitHub: the pull request
            branch      TEXT,                          -- the proposal's branch
            head_sha    TEXT,                          -- the commit proposed (the pull request's head)
            detail      TEXT,                          -- one line: why refused or failed
            created     INTEGER NOT NULL,              -- unix milliseconds, UTC
            updated     INTEGER NOT NULL
        );
        CREATE INDEX rule_proposals_by_rule ON rule_proposals (rule, created);
        """;

    /// <summary>Failed attempts of a claim's proposal: a claim is retried with backoff, then given up (docs/rules.md).</summary>
    public const string Attempts = """
        ALTER TABLE rule_proposals ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        """;
}
