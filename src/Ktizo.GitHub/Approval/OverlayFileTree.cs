using Ktizo.Core.Files;

namespace Ktizo.GitHub.Approval;

/// <summary>
/// A tree with one file added on top: the repository as it will be once the proposed device file is
/// committed, so the proposal is judged by the same validator CI runs on the pull request.
/// </summary>
public sealed class OverlayFileTree(IFileTree inner, string path, byte[] content) : IFileTree
{
    /// <summary>Never the inner commit: this tree is not that commit any more.</summary>
    public string? Commit => null;

    public IReadOnlyList<string> ListFiles(string directory) => With(inner.ListFiles(directory), directory, recursive: false);

    public IReadOnlyList<string> ListFilesRecursive(string directory) => With(inner.ListFilesRecursive(directory), directory, recursive: true);

    public TreeFile? Read(string file) =>
        file == path ? new TreeFile(path, InMemoryFileTree.ContentId(content), content) : inner.Read(file);

    private IReadOnlyList<string> With(IReadOnlyList<string> files, string directory, bool recursive)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var inside = path.StartsWith(prefix, StringComparison.Ordinal) && (recursive || path.IndexOf('/', prefix.Length) < 0);
        return inside && !files.Contains(path, StringComparer.Ordinal)
            ? [.. files.Append(path).Order(StringComparer.Ordinal)]
            : files;
    }
}
