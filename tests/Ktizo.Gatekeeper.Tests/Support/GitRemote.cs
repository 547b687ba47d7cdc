using System.Text;
using LibGit2Sharp;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// A bare repository standing in for GitHub, plus a working clone that commits and pushes to it:
/// what a user's merges look like from the gatekeeper's side.
/// </summary>
public sealed class GitRemote : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-remote");
    private readonly Repository _work;
    private readonly Signature _author = new("Ada Approver", "ada@example.org", DateTimeOffset.UtcNow);

    public GitRemote(string branch = "main")
    {
        Branch = branch;
        BarePath = _folder.Sub("remote.git");
        Repository.Init(BarePath, isBare: true);
        // A bare repository's HEAD names the default branch: make it ours rather than libgit2's "master".
        File.WriteAllText(System.IO.Path.Combine(BarePath, "HEAD"), $"ref: refs/heads/{branch}\n");

        var workPath = _folder.Sub("work");
        Repository.Init(workPath);
        _work = new Repository(workPath);
        _work.Refs.UpdateTarget("HEAD", $"refs/heads/{branch}");
        _work.Network.Remotes.Add("origin", BarePath);
    }

    public string Branch { get; }

    /// <summary>The bare repository: pass it as the gatekeeper's repository.</summary>
    public string BarePath { get; }

    /// <summary>Writes (or, with null content, deletes) files, commits them and pushes. Returns the new sha.</summary>
    public string Push(string message, params (string Path, string? Content)[] changes)
    {
        foreach (var (path, content) in changes)
        {
            var full = System.IO.Path.Combine(_work.Info.WorkingDirectory, path);
            if (content is null)
            {
                File.Delete(full);
                Commands.Remove(_work, path);
                continue;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content, new UTF8Encoding(false));
            Commands.Stage(_work, path);
        }

        var commit = _work.Commit(message, _author, _author);
        _work.Network.Push(_work.Network.Remotes["origin"], $"refs/heads/{Branch}:refs/heads/{Branch}");
        return commit.Sha;
    }

    /// <summary>The remote disappears (GitHub down, network cut).</summary>
    public void DeleteRemote() => Directory.Delete(BarePath, recursive: true);

    public void Dispose()
    {
        _work.Dispose();
        _folder.Dispose();
    }
}
