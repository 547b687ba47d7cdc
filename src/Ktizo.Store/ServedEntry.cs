namespace Ktizo.Store;

/// <summary>One answer that gave a machine bytes it had not been given just before (docs/drift.md).</summary>
/// <param name="Id">Order of recording, newest highest: the cursor of history pages.</param>
/// <param name="ConfigHash">SHA-256 of the bytes, lower-case hex: the ETag without its quotes.</param>
/// <param name="PullRequest">The pull request the commit's subject names, if it names one.</param>
public sealed record ServedEntry(long Id, string Commit, string ConfigHash, int? PullRequest, DateTimeOffset Time, string? Address);

/// <summary>A served commit that changed what git renders for one machine: from it on, the machine's config hashes to <see cref="ConfigHash"/>.</summary>
public sealed record RenderChange(string Commit, string ConfigHash, int? PullRequest, DateTimeOffset Time);
