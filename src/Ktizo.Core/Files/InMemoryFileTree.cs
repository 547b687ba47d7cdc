using System.Security.Cryptography;
using System.Text;

namespace Ktizo.Core.Files;

/// <summary>A file tree held in memory: for tests, benchmarks and anything already loaded.</summary>
public sealed class InMemoryFileTree : IFileTree
{
    private readonly SortedDictionary<string, TreeFile> _files = new(StringComparer.Ordinal);

    public InMemoryFileTree(string? commit = null) => Commit = commit;

    public string? Commit { get; }

    public InMemoryFileTree Add(string path, string text) => Add(path, Encoding.UTF8.GetBytes(text));

    public InMemoryFileTree Add(string path, byte[] content)
    {
        _files[path] = new TreeFile(path, ContentId(content), content);
        return this;
    }

    public InMemoryFileTree Remove(string path)
    {
        _files.Remove(path);
        return this;
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.IndexOf('/', prefix.Length) < 0).ToList();
    }

    public IReadOnlyList<string> ListFilesRecursive(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    public TreeFile? Read(string path) => _files.GetValueOrDefault(path);

    public string? FileId(string path) => _files.GetValueOrDefault(path)?.Id;

    /// <summary>The id used for content without a git blob id: the SHA-256 of the bytes.</summary>
    public static string ContentId(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
