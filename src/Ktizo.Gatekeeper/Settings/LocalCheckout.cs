namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Just enough of a git checkout's layout to pick defaults (top folder, current branch) without
/// reaching for a git library: <c>.git</c> is a folder, or a file pointing at one (worktrees, submodules).
/// </summary>
internal static class LocalCheckout
{
    public static string? FindTop(string start)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
        {
            var dotGit = Path.Combine(folder.FullName, ".git");
            if (Directory.Exists(dotGit) || File.Exists(dotGit))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    /// <summary>The branch HEAD points at in a checkout or a bare repository, or null when detached or unreadable.</summary>
    public static string? CurrentBranch(string top)
    {
        try
        {
            var gitDir = Path.Combine(top, ".git");
            if (!File.Exists(gitDir) && !Directory.Exists(gitDir))
            {
                // A bare repository is its own git folder.
                gitDir = top;
            }
            else if (File.Exists(gitDir))
            {
                var pointer = File.ReadAllText(gitDir).Trim();
                if (!pointer.StartsWith("gitdir:", StringComparison.Ordinal))
                {
                    return null;
                }

                gitDir = Path.GetFullPath(pointer["gitdir:".Length..].Trim(), top);
            }

            if (!File.Exists(Path.Combine(gitDir, "HEAD")))
            {
                return null;
            }

            var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
            const string prefix = "ref: refs/heads/";
            return head.StartsWith(prefix, StringComparison.Ordinal) ? head[prefix.Length..] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
