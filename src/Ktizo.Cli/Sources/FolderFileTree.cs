using Ktizo.Core;
using Ktizo.Core.Files;

namespace Ktizo.Cli.Sources;

/// <summary>
/// A folder on disk as a file tree: what `ktizo validate` reads before anything is committed.
/// Every path is resolved and must stay inside the root (symbolic links out of it are ignored).
/// </summary>
public sealed class FolderFileTree : IFileTree
{
    private readonly string _root;

    public FolderFileTree(string root)
    {
        _root = Path.GetFullPath(root);
        if (!Directory.Exists(_root))
        {
            throw new KtizoException($"'{root}' is not a folder.");
        }
    }

    public string? Commit => null;

    public IReadOnlyList<string> ListFiles(string directory) => List(directory, SearchOption.TopDirectoryOnly);

    public IReadOnlyList<string> ListFilesRecursive(string directory) => List(directory, SearchOption.AllDirectories);

    public TreeFile? Read(string path)
    {
        var full = Resolve(path);
        if (full is null || !File.Exists(full))
        {
            return null;
        }

        var content = File.ReadAllBytes(full);
        return new TreeFile(path, InMemoryFileTree.ContentId(content), content);
    }

    private IReadOnlyList<string> List(string directory, SearchOption option)
    {
        var full = Resolve(directory);
        if (full is null || !Directory.Exists(full))
        {
            return [];
        }

        return Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = option == SearchOption.AllDirectories, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private string? Resolve(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        var inside = full == _root || full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!inside)
        {
            return null;
        }

        // A link that points outside the repository is not part of it.
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !target.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return full;
    }
}
