namespace Ktizo.Gatekeeper.Boot;

/// <summary>Maps a requested file name to a file inside the assets folder, and nothing outside it.</summary>
public static class BootAssets
{
    /// <summary>
    /// The full path of <paramref name="name"/> directly inside <paramref name="root"/>, or null when the
    /// name is not a plain file name, names a hidden file, does not exist, or resolves (through a symlink)
    /// to anything outside the folder.
    /// </summary>
    public static string? Resolve(string root, string? name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith('.') || name.IndexOfAny(['/', '\\', '\0', ':']) >= 0 || name.Any(char.IsControl))
        {
            return null;
        }

        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var path = Path.GetFullPath(Path.Combine(folder, name));
        if (!IsInside(folder, path))
        {
            return null;
        }

        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return null;
        }

        if (file.LinkTarget is not null)
        {
            // The folder's own location may be a symlink too (/srv/talos -> /srv/talos-1.13): compare real paths.
            var target = file.ResolveLinkTarget(returnFinalTarget: true);
            var realFolder = new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? folder;
            if (target is null || !target.Exists || !(IsInside(realFolder, target.FullName) || IsInside(folder, target.FullName)))
            {
                return null;
            }
        }

        return path;
    }

    private static bool IsInside(string folder, string path) =>
        path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        && path.IndexOf(Path.DirectorySeparatorChar, folder.Length + 1) < 0;
}
