namespace Ktizo.Store;

/// <summary>
/// Where a device stands in the GitHub issue outbox (<c>issue_outbox.status</c>). The codes are what the file
/// holds; the table <c>issue_outbox_states</c> names each one (its name is this member's, lower-case), and the
/// view <c>issue_outbox_named</c> shows the outbox with the names. A code, once released, never changes.
/// </summary>
public enum OutboxState
{
    /// <summary>Seen, but no served commit has judged it yet (seen before the first render, or since the last swap).</summary>
    Unjudged = 0,

    /// <summary>The served commit has no device file for it: it gets (or has) a pending issue.</summary>
    Pending = 1,

    /// <summary>A commit approved it; the commit and pull request are recorded beside.</summary>
    Approved = 2,

    /// <summary>A commit rejected it; the commit and pull request are recorded beside.</summary>
    Rejected = 3,
}
