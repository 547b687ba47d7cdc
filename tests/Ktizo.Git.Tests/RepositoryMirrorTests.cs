using System.Text;
using Ktizo.Core;
using Ktizo.Testing.Git;
using LibGit2Sharp;
using Xunit.Abstractions;

namespace Ktizo.Git.Tests;

public sealed class RepositoryMirrorTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempGitRemote _remote = new();
    private readonly TestLogger _log = new(output);

    public void Dispose() => _remote.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_FirstCall_ClonesTheBranchHead(bool fileUrl)
    {
        _remote.WriteFile("inventory/devices/a.yaml", "a");
        var head = _remote.CommitAndPush("Add a");
        using var mirror = Mirror(fileUrl ? _remote.RemoteUrl : _remote.RemotePath);

        Assert.Null(mirror.LocalHead);
        var fetched = await mirror.FetchAsync(CancellationToken.None);

        Assert.Equal(head, fetched);
        Assert.Equal(head, mirror.LocalHead);
        using var tree = mirror.OpenTree(fetched);
        Assert.Equal("a", Text(tree.Read("inventory/devices/a.yaml")));
    }

    [Fact]
    public async Task FetchAsync_AfterAPush_ReturnsTheNewCommit()
    {
        _remote.WriteFile("a.yaml", "a");
        var first = _remote.CommitAndPush("Add a");
        using var mirror = Mirror();
        Assert.Equal(first, await mirror.FetchAsync(CancellationToken.None));

        _remote.WriteFile("b.yaml", "b");
        var second = _remote.CommitAndPush("Add b");
        var fetched = await mirror.FetchAsync(CancellationToken.None);

        Assert.Equal(second, fetched);
        Assert.Equal(second, mirror.LocalHead);
        using var tree = mirror.OpenTree(second);
        Assert.Equal(["a.yaml", "b.yaml"], tree.ListFiles(""));
        // The earlier commit stays readable: the gatekeeper may still be serving it.
        using var old = mirror.OpenTree(first);
        Assert.Null(old.Read("b.yaml"));
    }

    [Fact]
    public async Task FetchAsync_NothingPushedSinceLastFetch_ReturnsTheSameHead()
    {
        var head = _remote.CommitAndPush("Only commit");
        using var mirror = Mirror();
        await mirror.FetchAsync(CancellationToken.None);

        Assert.Equal(head, await mirror.FetchAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LocalHead_NewMirrorAfterRestartWithRemoteDeleted_ReturnsLastFetchedCommit()
    {
        _remote.WriteFile("inventory/devices/a.yaml", "approved");
        var head = _remote.CommitAndPush("Add a");
        var clone = _remote.NewFolder("clone");
        using (var before = Mirror(clonePath: clone))
        {
            await before.FetchAsync(CancellationToken.None);
        }

        _remote.DeleteRemote();
        using var after = Mirror(clonePath: clone);

        Assert.Equal(head, after.LocalHead);
        using var tree = after.OpenTree(after.LocalHead!);
        Assert.Equal("approved", Text(tree.Read("inventory/devices/a.yaml")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_RemoteGone_ThrowsGitSyncExceptionSayingTheFolderIsMissing_AndKeepsTheClone(bool fileUrl)
    {
        _remote.WriteFile("a.yaml", "a");
        var head = _remote.CommitAndPush("Add a");
        using var mirror = Mirror(fileUrl ? _remote.RemoteUrl : _remote.RemotePath);
        await mirror.FetchAsync(CancellationToken.None);

        _remote.DeleteRemote();
        var error = await Assert.ThrowsAsync<GitSyncException>(() => mirror.FetchAsync(CancellationToken.None));

        Assert.Contains(_remote.RemotePath, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.DoesNotContain("unsupported URL protocol", error.Message);
        Assert.Equal(head, mirror.LocalHead);
        using var tree = mirror.OpenTree(head);
        Assert.Equal("a", Text(tree.Read("a.yaml")));
    }

    [Fact]
    public async Task FetchAsync_BranchDeletedOnRemote_ThrowsAndKeepsTheLastHead()
    {
        var head = _remote.CommitAndPush("First");
        using var mirror = Mirror();
        await mirror.FetchAsync(CancellationToken.None);

        using (var bare = new Repository(_remote.RemotePath))
        {
            bare.Refs.Remove("refs/heads/main");
        }

        var error = await Assert.ThrowsAsync<GitSyncException>(() => mirror.FetchAsync(CancellationToken.None));

        Assert.Contains("has no branch 'main'", error.Message);
        Assert.Equal(head, mirror.LocalHead);
    }

    [Fact]
    public async Task FetchAsync_TrackedBranchIsNotTheRemoteDefault_FetchesTheNamedBranch()
    {
        var main = _remote.CommitAndPush("On main");
        _remote.CreateBranch("production");
        _remote.WriteFile("p.yaml", "p");
        var production = _remote.CommitAndPush("On production");
        using var mirror = new RepositoryMirror(new MirrorOptions(_remote.RemotePath, "production", _remote.NewFolder("clone")), _log);

        Assert.Equal(production, await mirror.FetchAsync(CancellationToken.None));
        Assert.NotEqual(main, production);
    }

    [Fact]
    public async Task FetchAsync_BranchForcePushed_FollowsTheRemote()
    {
        _remote.CommitAndPush("Base");
        _remote.WriteFile("bad.yaml", "x");
        _remote.CommitAndPush("Bad commit");
        using var mirror = Mirror();
        await mirror.FetchAsync(CancellationToken.None);

        using (var work = new Repository(_remote.WorkPath))
        {
            work.Reset(ResetMode.Hard, "HEAD~1");
        }

        _remote.WriteFile("good.yaml", "y");
        var rewritten = _remote.Commit("Good commit");
        _remote.Push(force: true);

        Assert.Equal(rewritten, await mirror.FetchAsync(CancellationToken.None));
        Assert.Contains(_log.Lines, l => l.Contains("was rewritten", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FetchAsync_LocalFolderHoldsOtherFiles_ThrowsAndLeavesThem()
    {
        _remote.CommitAndPush("First");
        var clone = _remote.NewFolder("clone");
        Directory.CreateDirectory(clone);
        File.WriteAllText(Path.Combine(clone, "precious.txt"), "keep me");
        using var mirror = Mirror(clonePath: clone);

        var error = await Assert.ThrowsAsync<GitSyncException>(() => mirror.FetchAsync(CancellationToken.None));

        Assert.Contains("not empty", error.Message);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(clone, "precious.txt")));
    }

    [Fact]
    public async Task FetchAsync_EmptyExistingFolder_ClonesIntoIt()
    {
        // A volume mounted at the clone path exists, empty, before the first start.
        var head = _remote.CommitAndPush("First");
        var clone = _remote.NewFolder("clone");
        Directory.CreateDirectory(clone);
        using var mirror = Mirror(clonePath: clone);

        Assert.Equal(head, await mirror.FetchAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FetchAsync_CancelledBeforeStart_ThrowsOperationCanceled()
    {
        _remote.CommitAndPush("First");
        using var mirror = Mirror();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mirror.FetchAsync(new CancellationToken(canceled: true)));
        Assert.Null(mirror.LocalHead);
    }

    [Fact]
    public void OpenTree_BeforeAnyFetch_ThrowsKtizoExceptionSayingSo()
    {
        using var mirror = Mirror();

        var error = Assert.Throws<KtizoException>(() => mirror.OpenTree("0123456789abcdef0123456789abcdef01234567"));

        Assert.Contains("never fetched", error.Message);
    }

    [Fact]
    public async Task OpenTree_UnknownCommit_ThrowsKtizoException()
    {
        _remote.CommitAndPush("First");
        using var mirror = Mirror();
        await mirror.FetchAsync(CancellationToken.None);

        Assert.Throws<KtizoException>(() => mirror.OpenTree("0123456789abcdef0123456789abcdef01234567"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad..name")]
    [InlineData("ends.lock")]
    public void Constructor_InvalidBranch_ThrowsKtizoException(string branch)
    {
        Assert.Throws<KtizoException>(() => new RepositoryMirror(new MirrorOptions(_remote.RemotePath, branch, _remote.NewFolder("clone"))));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FetchAsync_SshRemote_RunsTheConfiguredSshCommand()
    {
        // A stand-in for ssh that ignores the host and runs the remote command (git-upload-pack '<path>') locally:
        // proves libgit2 execs an ssh program, with the argument layout OpenSSH gets, without a running sshd.
        _remote.WriteFile("a.yaml", "over ssh");
        var head = _remote.CommitAndPush("First");
        var fakeSsh = _remote.NewFolder("fake-ssh");
        var record = _remote.NewFolder("ssh-args.txt");
        File.WriteAllText(fakeSsh, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{record}'\nwhile [ $# -gt 1 ]; do shift; done\nexec sh -c \"$1\"\n");
        File.SetUnixFileMode(fakeSsh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new MirrorOptions($"ssh://git@example.invalid{_remote.RemotePath}", "main", _remote.NewFolder("clone")) { SshCommand = fakeSsh + " -o BatchMode=yes" };
        using var mirror = new RepositoryMirror(options, _log);

        Assert.Equal(head, await mirror.FetchAsync(CancellationToken.None));

        var args = File.ReadAllLines(record);
        Assert.Contains("git@example.invalid", args);
        Assert.Contains("BatchMode=yes", args);
        Assert.Contains(args, a => a.StartsWith("git-upload-pack", StringComparison.Ordinal));
        using var tree = mirror.OpenTree(head);
        Assert.Equal("over ssh", Text(tree.Read("a.yaml")));
    }

    [Fact]
    public async Task FetchAsync_ScpLikeSshRemoteWithoutSshCommand_RunsSystemSshInBatchMode()
    {
        // Nothing listens on port 22 here: the system ssh is run (through the wrapper carrying BatchMode) and refused.
        using var mirror = new RepositoryMirror(new MirrorOptions("git@127.0.0.1:org/repo.git", "main", _remote.NewFolder("clone")), _log);

        var error = await Assert.ThrowsAsync<GitSyncException>(() => mirror.FetchAsync(CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Contains("git@127.0.0.1:org/repo.git", error.Message);
        using var clone = new Repository(mirror.LocalPath);
        var program = clone.Config.Get<string>("core.sshCommand").Value;
        Assert.Equal(Path.Combine(mirror.LocalPath, "ktizo-ssh"), program);
        Assert.Contains("exec ssh -o BatchMode=yes \"$@\"", File.ReadAllText(program));
        Assert.Equal("git@127.0.0.1:org/repo.git", clone.Network.Remotes["origin"].Url);
    }

    private RepositoryMirror Mirror(string? remote = null, string? clonePath = null) =>
        new(new MirrorOptions(remote ?? _remote.RemotePath, _remote.Branch, clonePath ?? _remote.NewFolder("clone")), _log);

    private static string? Text(Ktizo.Core.Files.TreeFile? file) => file is null ? null : Encoding.UTF8.GetString(file.Content.Span);
}
