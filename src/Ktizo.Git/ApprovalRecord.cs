namespace Ktizo.Git;

/// <summary>
/// The commit that put a file, as it exists now, onto the tracked branch.
/// </summary>
/// <param name="Path">The repository-relative path asked about.</param>
/// <param name="Commit">Full sha of the commit on the branch's first-parent line that added the path (for a merged pull request, the merge or squash commit).</param>
/// <param name="Time">That commit's committer time: when it landed on the branch, not when its author first wrote it.</param>
/// <param name="Author">That commit's author name.</param>
/// <param name="PullRequest">The pull request number its message names ("Merge pull request #12 …" or "… (#12)"), else null.</param>
public sealed record ApprovalRecord(string Path, string Commit, DateTimeOffset Time, string Author, int? PullRequest);
