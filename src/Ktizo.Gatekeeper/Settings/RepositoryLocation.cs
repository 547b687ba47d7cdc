using System.Text.RegularExpressions;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>Tells a remote repository (URL or scp-like ssh) from a local path, and what is wrong with a remote.</summary>
internal static partial class RepositoryLocation
{
    public static bool IsRemote(string repository, out string? problem)
    {
        problem = null;
        // scp-like ssh (git@github.com:owner/repo.git) goes through the system's ssh.
        if (ScpLike().IsMatch(repository))
        {
            return true;
        }

        if (!repository.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh" or "git" or "file"))
        {
            problem = $"'{repository}' is not an https, ssh, git or file URL";
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            problem = $"the URL carries a password; pass the token as {KtizoSettings.Find("RepositoryToken").Names} instead";
        }

        return true;
    }

    [GeneratedRegex(@"^[\w.-]+@[\w.-]+:[^/\\]")]
    private static partial Regex ScpLike();
}
