using LibGit2Sharp;

namespace Ktizo.Testing.Git;

/// <summary>
/// A throw-away git "server" for tests: a bare repository (<see cref="RemotePath"/>, what the code under test
/// fetches from) and a working clone (<see cref="WorkPath"/>) that plays the developer who commits and pushes.
/// Everything lives under one temporary folder, <see cref="Root"/>, deleted on <see cref="Dispose"/>.
/// </summary>
/// <example>
/// <code>
/// using var remote = new TempGitRemote();            // branch "main"
/// remote.WriteFile("inventory/devices/node-01.yaml", "mac: 00:11:22:33:44:55\n");
/// var sha = remote.CommitAndPush("Add node-01 (#1)", author: "Ada");
/// var mirror = new RepositoryMirror(new MirrorOptions(remote.RemoteUrl, remote.Branch, remote.NewFolder("clone")));
/// </code>
/// </example>
/// <remarks>
/// Independent of the machine's git settings: the branch is set explicitly (never <c>init.defaultBranch</c>),
/// and every commit names its author. Not thread-safe: drive it from one test at a time.
/// </remarks>
public sealed class TempGitRemote : IDisposable
{
    private static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private DateTimeOffset _clock = DefaultStart;

    /// <param name="branch">The branch the remote's HEAD points at and the working clone starts on.</param>
    public TempGitRemote(string branch = "main")
    {
        Branch = branch;
        Root = Path.Combine(Path.GetTempPath(), "ktizo-git-" + Guid.NewGuid().ToString("N")[..12]);
        RemotePath = Path.Combine(Root, "remote.git");
        WorkPath = Path.Combine(Root, "work");

        Repository.Init(RemotePath, isBare: true);
        using (var remote = new Repository(RemotePath))
        {
            // Clones of the remote (by real git too) then land on this branch, whatever the machine's default is.
            remote.Refs.UpdateTarget("HEAD", "refs/heads/" + branch);
        }

        Repository.Init(WorkPath);
        using var work = new Repository(WorkPath);
        work.Refs.UpdateTarget("HEAD", "refs/heads/" + branch);
        work.Network.Remotes.Add("origin", RemotePath);
    }

    /// <summary>The temporary folder holding the remote, the working clone and any <see cref="NewFolder"/>.</summary>
    public string Root { get; }

    /// <summary>The bare repository, usable as a remote by path.</summary>
    public string RemotePath { get; }

    /// <summary>The same remote as a <c>file://</c> URL.</summary>
    public string RemoteUrl => new Uri(RemotePath).AbsoluteUri;

    /// <summary>The working clone that <see cref="WriteFile"/>, <see cref="Commit"/> and <see cref="Push"/> act on.</summary>
    public string WorkPath { get; }

    /// <summary>The branch given to the constructor (default <c>main</c>).</summary>
    public string Branch { get; }

    /// <summary>The branch the working clone has checked out (changes with <see cref="CreateBranch"/> and <see cref="Checkout"/>).</summary>
    public string CurrentBranch
    {
        get
        {
            using var work = new Repository(WorkPath);
            return work.Head.FriendlyName;
        }
    }

    /// <summary>Sha of the working clone's HEAD; null before the first commit.</summary>
    public string? Head
    {
        get
        {
            using var work = new Repository(WorkPath);
            return work.Head.Tip?.Sha;
        }
    }

    /// <summary>Writes a file (UTF-8, folders created) in the working clone. Not committed until <see cref="Commit"/>.</summary>
    public TempGitRemote WriteFile(string path, string content)
    {
        var full = Path.Combine(WorkPath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    /// <summary>Deletes a file from the working clone. Not committed until <see cref="Commit"/>.</summary>
    public TempGitRemote DeleteFile(string path)
    {
        File.Delete(Path.Combine(WorkPath, path));
        return this;
    }

    /// <summary>
    /// Stages every change in the working clone (additions, edits, deletions) and commits it; an empty commit is allowed.
    /// Without <paramref name="when"/>, commit times start at 2025-01-01 12:00 UTC and advance one minute per commit,
    /// so tests can tell commits apart by time.
    /// </summary>
    /// <returns>The new commit's sha.</returns>
    public string Commit(string message, string author = "Test Author", DateTimeOffset? when = null)
    {
        using var work = new Repository(WorkPath);
        Commands.Stage(work, "*");
        var signature = Signature(author, when);
        return work.Commit(message, signature, signature, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    /// <summary>Pushes the current branch to the remote; <paramref name="force"/> allows rewriting it.</summary>
    public void Push(bool force = false)
    {
        using var work = new Repository(WorkPath);
        var branch = work.Head.CanonicalName;
        work.Network.Push(work.Network.Remotes["origin"], $"{(force ? "+" : "")}{branch}:{branch}");
    }

    /// <summary><see cref="Commit"/> then <see cref="Push"/>.</summary>
    public string CommitAndPush(string message, string author = "Test Author", DateTimeOffset? when = null)
    {
        var sha = Commit(message, author, when);
        Push();
        return sha;
    }

    /// <summary>Creates a branch at the current HEAD and checks it out (a pull request's branch).</summary>
    public TempGitRemote CreateBranch(string name)
    {
        using var work = new Repository(WorkPath);
        Commands.Checkout(work, work.CreateBranch(name));
        return this;
    }

    /// <summary>Checks out an existing local branch; the working tree follows.</summary>
    public TempGitRemote Checkout(string name)
    {
        using var work = new Repository(WorkPath);
        Commands.Checkout(work, work.Branches[name] ?? throw new InvalidOperationException($"No branch '{name}'."));
        return this;
    }

    /// <summary>
    /// Merges <paramref name="branch"/> into the current branch with a merge commit (never a fast-forward), the way
    /// GitHub's "Create a merge commit" does: first parent the current branch, second the merged one.
    /// </summary>
    /// <returns>The merge commit's sha.</returns>
    public string Merge(string branch, string message, string author = "Test Author", DateTimeOffset? when = null)
    {
        using var work = new Repository(WorkPath);
        var ours = work.Head.Tip;
        var theirs = work.Branches[branch]?.Tip ?? throw new InvalidOperationException($"No branch '{branch}'.");
        var merged = work.ObjectDatabase.MergeCommits(ours, theirs, new MergeTreeOptions());
        if (merged.Status != MergeTreeStatus.Succeeded)
        {
            throw new InvalidOperationException($"Merging '{branch}' conflicts.");
        }

        var signature = Signature(author, when);
        var commit = work.ObjectDatabase.CreateCommit(signature, signature, message, merged.Tree, [ours, theirs], prettifyMessage: true);
        work.Refs.UpdateTarget(work.Refs[work.Head.CanonicalName], commit.Id, logMessage: null);
        work.Reset(ResetMode.Hard, commit);
        return commit.Sha;
    }

    /// <summary>A path under <see cref="Root"/> that does not exist yet (e.g. for a local clone); removed with the rest.</summary>
    public string NewFolder(string name) => Path.Combine(Root, name);

    /// <summary>Deletes the bare repository: the remote is gone, as if the server were down or the repository removed.</summary>
    public void DeleteRemote() => DeleteFolder(RemotePath);

    public void Dispose() => DeleteFolder(Root);

    private Signature Signature(string author, DateTimeOffset? when)
    {
        var time = when ?? (_clock = _clock.AddMinutes(1));
        var email = author.ToLowerInvariant().Replace(' ', '.') + "@example.com";
        return new Signature(author, email, time);
    }

    private static void DeleteFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        // Git writes objects read-only; clear that so deletion also works where the attribute matters (Windows).
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(path, recursive: true);
    }
}
