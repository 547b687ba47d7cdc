using Ktizo.Testing.Git;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// The shared <see cref="TempGitRemote"/> (a bare remote plus a working clone), seeded with this
/// repository's own example inventory and templates: what a user's merges look like from the
/// gatekeeper's side.
/// </summary>
public sealed class GitRemote : IDisposable
{
    private readonly TempGitRemote _git = new("main");

    public string Branch => _git.Branch;

    /// <summary>The bare repository: pass it as the gatekeeper's repository.</summary>
    public string BarePath => _git.RemotePath;

    /// <summary>Commits the example repository (inventory/ and templates/) and pushes it.</summary>
    public string PushExample()
    {
        var root = RepositoryRoot();
        foreach (var folder in new[] { "inventory", "templates" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories))
            {
                _git.WriteFile(Path.GetRelativePath(root, file).Replace('\\', '/'), File.ReadAllText(file));
            }
        }

        return _git.CommitAndPush("Example cluster", "Ada Approver");
    }

    /// <summary>Writes (or, with null content, deletes) files, commits them and pushes. Returns the new sha.</summary>
    public string Push(string message, params (string Path, string? Content)[] changes)
    {
        foreach (var (path, content) in changes)
        {
            if (content is null)
            {
                _git.DeleteFile(path);
            }
            else
            {
                _git.WriteFile(path, content);
            }
        }

        return _git.CommitAndPush(message, "Ada Approver");
    }

    /// <summary>Writes one binary file (an age-encrypted bundle), commits it and pushes. Returns the new sha.</summary>
    public string PushBytes(string message, string path, byte[] content)
    {
        var full = Path.Combine(_git.WorkPath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return _git.CommitAndPush(message, "Ada Approver");
    }

    /// <summary>The remote disappears (GitHub down, network cut).</summary>
    public void DeleteRemote() => _git.DeleteRemote();

    public void Dispose() => _git.Dispose();

    /// <summary>The checkout these tests were built from (the folder holding Ktizo.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Ktizo.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Ktizo.sln not found above " + AppContext.BaseDirectory);
    }
}
