namespace Ktizo.Git;

/// <summary>
/// Repository-relative paths as the core writes them (<c>inventory/devices/a.yaml</c>). Anything else
/// (absolute, backslashes, empty, <c>.</c> or <c>..</c> segments) names no file: a tree lookup never
/// leaves the commit, but rejecting these up front keeps "not found" and "not allowed" from depending
/// on libgit2's path parsing.
/// </summary>
internal static class GitPath
{
    /// <summary>The path without a trailing slash, "" for the root (when allowed), or null when it is not a valid tree path.</summary>
    public static string? Normalize(string? path, bool allowRoot)
    {
        if (path is null)
        {
            return null;
        }

        if (path.StartsWith('/') || path.Contains('\\') || path.Contains('\0'))
        {
            return null;
        }

        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0 || trimmed == ".")
        {
            return allowRoot ? "" : null;
        }

        foreach (var segment in trimmed.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return null;
            }
        }

        return trimmed;
    }

    public static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;
}
