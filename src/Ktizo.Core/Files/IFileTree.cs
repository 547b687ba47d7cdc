namespace Ktizo.Core.Files;

/// <summary>
/// The repository content the core reads: a folder on disk, a git commit, or memory in tests.
/// Paths are relative, with forward slashes (<c>inventory/devices/node-01.yaml</c>).
/// </summary>
public interface IFileTree
{
    /// <summary>The commit this tree was read from, or null for a folder.</summary>
    string? Commit { get; }

    /// <summary>Files directly under <paramref name="directory"/> (not recursive), sorted ordinally. Empty when it does not exist.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Files anywhere under <paramref name="directory"/>, sorted ordinally.</summary>
    IReadOnlyList<string> ListFilesRecursive(string directory);

    /// <summary>The file, or null when there is none at that path.</summary>
    TreeFile? Read(string path);

    /// <summary>
    /// The id <see cref="Read"/> would give the file, or null when there is none at that path. A git tree
    /// answers from its tree entries without reading the blob, which is what lets an unchanged device file
    /// of a 10,000-device inventory be skipped without reading it.
    /// </summary>
    string? FileId(string path) => Read(path)?.Id;
}

/// <summary>
/// One file's bytes and an identity that changes when the bytes change (a git blob id, or a content hash),
/// which is what incremental re-rendering keys on.
/// </summary>
public sealed record TreeFile(string Path, string Id, ReadOnlyMemory<byte> Content);
