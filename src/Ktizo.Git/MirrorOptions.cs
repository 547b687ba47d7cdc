namespace Ktizo.Git;

/// <summary>Where the repository comes from and where its local clone lives.</summary>
/// <param name="Remote">A path, <c>file://</c>, <c>https://</c>, <c>http://</c>, <c>git://</c>, <c>ssh://</c> or <c>user@host:path</c>.</param>
/// <param name="Branch">The branch to track, e.g. <c>main</c>. Never guessed: repositories disagree on their default branch.</param>
/// <param name="LocalPath">The folder of the local (bare) clone. Created when missing; an existing non-repository folder with files in it is refused.</param>
/// <param name="Token">For https: a token sent as the password (user from the URL, else <c>x-access-token</c>, which GitHub expects). Never stored or logged.</param>
public sealed record MirrorOptions(string Remote, string Branch, string LocalPath, string? Token = null)
{
    /// <summary>
    /// For ssh remotes: the command run instead of <c>ssh</c>, a shell command line as in git's <c>core.sshCommand</c>,
    /// e.g. <c>ssh -i /secrets/deploy_key -o UserKnownHostsFile=/secrets/known_hosts -o BatchMode=yes</c>. When null,
    /// <c>ssh -o BatchMode=yes</c>, so a missing key or unknown host key fails at once instead of waiting for a prompt
    /// nobody sees. <c>GIT_SSH_COMMAND</c> or <c>GIT_SSH</c> in the process environment win over both, as they do for git.
    /// </summary>
    public string? SshCommand { get; init; }

    /// <summary>The token must not reach logs through a record's generated ToString.</summary>
    public override string ToString() =>
        $"MirrorOptions {{ Remote = {Remote}, Branch = {Branch}, LocalPath = {LocalPath}, Token = {(Token is null ? "none" : "***")} }}";
}
