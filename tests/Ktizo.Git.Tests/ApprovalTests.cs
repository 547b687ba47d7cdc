using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ktizo.Testing.Git;
using LibGit2Sharp;
using Xunit.Abstractions;

namespace Ktizo.Git.Tests;

public sealed class ApprovalTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.FromHours(1));
    private readonly TempGitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    [Fact]
    public async Task FindApprovals_DirectMergeAndSquashCommits_ReportCommitAuthorTimeAndPullRequest()
    {
        _remote.WriteFile("inventory/cluster.yaml", "name: c\n").WriteFile("inventory/devices/a.yaml", "a\n");
        var initial = _remote.Commit("Initial inventory", "Admin", T0);

        _remote.CreateBranch("add-b").WriteFile("inventory/devices/b.yaml", "b\n");
        _remote.Commit("Add node b", "Bob", T0.AddHours(1));
        _remote.Checkout("main");
        var merge = _remote.Merge("add-b", "Merge pull request #12 from org/add-b\n\nAdd node b", "Carol", T0.AddHours(2));

        _remote.WriteFile("inventory/devices/c.yaml", "c\n");
        var squash = _remote.Commit("Add node c (#13)", "Dave", T0.AddHours(3));

        // Editing an approved device later does not move its approval.
        _remote.WriteFile("inventory/devices/a.yaml", "a, new ip\n");
        _remote.Commit("Change a's address (#14)", "Eve", T0.AddHours(4));
        _remote.Push();
        using var mirror = await FetchedMirror();

        var approvals = mirror.FindApprovals(mirror.LocalHead!, ["inventory/devices/a.yaml", "inventory/devices/b.yaml", "inventory/devices/c.yaml", "inventory/devices/missing.yaml"]);

        Assert.Equal(new ApprovalRecord("inventory/devices/a.yaml", initial, T0, "Admin", null), approvals["inventory/devices/a.yaml"]);
        // First-parent: the merge commit, not Bob's commit on the branch, is where b reached main.
        Assert.Equal(new ApprovalRecord("inventory/devices/b.yaml", merge, T0.AddHours(2), "Carol", 12), approvals["inventory/devices/b.yaml"]);
        Assert.Equal(new ApprovalRecord("inventory/devices/c.yaml", squash, T0.AddHours(3), "Dave", 13), approvals["inventory/devices/c.yaml"]);
        Assert.False(approvals.ContainsKey("inventory/devices/missing.yaml"));
        Assert.Equal(3, approvals.Count);
    }

    [Fact]
    public async Task FindApprovals_FileDeletedAndAddedAgain_ReportsTheReAddingCommit()
    {
        _remote.WriteFile("inventory/devices/x.yaml", "x\n");
        _remote.Commit("Add x (#1)", "Ann");
        _remote.DeleteFile("inventory/devices/x.yaml");
        _remote.Commit("Remove x (#2)", "Ben");
        _remote.Commit("Unrelated (#3)", "Cid");
        _remote.WriteFile("inventory/devices/x.yaml", "x\n");
        var readded = _remote.Commit("Add x again (#4)", "Dee");
        _remote.Commit("Later (#5)", "Eli");
        _remote.Push();
        using var mirror = await FetchedMirror();

        var approval = mirror.FindApprovals(mirror.LocalHead!, ["inventory/devices/x.yaml"])["inventory/devices/x.yaml"];

        Assert.Equal(readded, approval.Commit);
        Assert.Equal("Dee", approval.Author);
        Assert.Equal(4, approval.PullRequest);
    }

    [Fact]
    public async Task FindApprovals_OlderCommitAsked_AnswersForThatCommit()
    {
        _remote.WriteFile("a.yaml", "a");
        var first = _remote.Commit("Add a (#1)");
        _remote.DeleteFile("a.yaml");
        _remote.Commit("Remove a (#2)");
        _remote.Push();
        using var mirror = await FetchedMirror();

        Assert.Empty(mirror.FindApprovals(mirror.LocalHead!, ["a.yaml"]));
        Assert.Equal(first, mirror.FindApprovals(first, ["a.yaml"])["a.yaml"].Commit);
    }

    [Fact]
    public async Task FindApprovals_NewHeadAfterEarlierCall_MatchesAFreshWalk()
    {
        // The cache keyed by commit must not change answers: compare with a mirror that has never walked.
        _remote.WriteFile("d/a.yaml", "a").WriteFile("d/b.yaml", "b");
        _remote.Commit("Add a and b (#1)");
        _remote.WriteFile("d/c.yaml", "c");
        _remote.Commit("Add c (#2)");
        _remote.Push();
        using var mirror = await FetchedMirror();
        var firstHead = mirror.LocalHead!;
        var before = mirror.FindApprovals(firstHead, ["d/a.yaml", "d/b.yaml"]);

        _remote.DeleteFile("d/a.yaml");
        _remote.Commit("Remove a (#3)");
        _remote.WriteFile("d/a.yaml", "a2").WriteFile("d/e.yaml", "e");
        _remote.Commit("Re-add a, add e (#4)");
        _remote.Push();
        var secondHead = await mirror.FetchAsync(CancellationToken.None);
        string[] paths = ["d/a.yaml", "d/b.yaml", "d/c.yaml", "d/e.yaml"];

        var cached = mirror.FindApprovals(secondHead, paths);
        var walkedWithCache = mirror.LastApprovalWalkLength;
        using var fresh = new RepositoryMirror(new MirrorOptions(_remote.RemotePath, "main", mirror.LocalPath));
        var uncached = fresh.FindApprovals(secondHead, paths);

        Assert.Equal(uncached.OrderBy(p => p.Key), cached.OrderBy(p => p.Key));
        Assert.Equal(4, uncached["d/a.yaml"].PullRequest);
        Assert.Equal(1, uncached["d/b.yaml"].PullRequest);
        // b was answered from the first head's cache, but c was not asked then, so the walk went on to c's commit.
        Assert.Equal(3, walkedWithCache);
        Assert.Equal(before.OrderBy(p => p.Key), mirror.FindApprovals(firstHead, ["d/a.yaml", "d/b.yaml"]).OrderBy(p => p.Key));
    }

    [Fact]
    public void FindApprovals_ThousandsOfFiles_WalksHistoryOnceForAllOfThem()
    {
        const int files = 10_000;
        const int commits = 200;
        var repository = GenerateRepository(_remote.NewFolder("big.git"), files, commits);
        using var mirror = new RepositoryMirror(new MirrorOptions(_remote.RemotePath, "main", repository));
        var paths = Enumerable.Range(0, files).Select(DevicePath).ToList();
        var head = mirror.LocalHead ?? throw new InvalidOperationException("no head");

        var clock = Stopwatch.StartNew();
        var approvals = mirror.FindApprovals(head, paths);
        var cold = clock.Elapsed;
        var coldWalk = mirror.LastApprovalWalkLength;
        clock.Restart();
        mirror.FindApprovals(head, paths);
        var warm = clock.Elapsed;

        output.WriteLine($"{files} files, {commits} commits: first call {cold.TotalMilliseconds:F0} ms (walked {coldWalk} commits), cached call {warm.TotalMilliseconds:F0} ms");
        Assert.Equal(files, approvals.Count);
        // The walk stops at the root: commits - 1 diffs for the whole set, not one walk per file.
        Assert.Equal(commits - 1, coldWalk);
        Assert.Equal(0, mirror.LastApprovalWalkLength);
        Assert.Equal(1, approvals[DevicePath(0)].PullRequest);
        Assert.Equal(commits, approvals[DevicePath(files - 1)].PullRequest);
        // Files added by one commit share its strings (held for every device while the gatekeeper runs).
        Assert.Equal(DevicePath(1), approvals[DevicePath(1)].Path);
        Assert.Same(approvals[DevicePath(0)].Commit, approvals[DevicePath(1)].Commit);
        Assert.Same(approvals[DevicePath(0)].Author, approvals[DevicePath(1)].Author);
        Assert.Same(approvals[DevicePath(files - 2)].Commit, approvals[DevicePath(files - 1)].Commit);
    }

    [Theory]
    [InlineData("Merge pull request #12 from org/add-node", 12)]
    [InlineData("Merge pull request #7 from org/x\n\nbody (#99)", 7)]
    [InlineData("Add node-01 (#345)", 345)]
    [InlineData("Add node-01 (#345)\n\n* squashed commit (#1)", 345)]
    [InlineData("Add node-01", null)]
    [InlineData("Fix #12 in the middle", null)]
    [InlineData("Add node (#12) and more", null)]
    [InlineData("Merge branch 'main' into feature", null)]
    [InlineData("Add node (#99999999999999)", null)]
    public void PullRequestNumber_CommitMessage_IsFoundOnlyInGitHubsSubjectForms(string message, int? expected)
    {
        Assert.Equal(expected, ApprovalFinder.PullRequestNumber(message));
    }

    private async Task<RepositoryMirror> FetchedMirror()
    {
        var mirror = new RepositoryMirror(new MirrorOptions(_remote.RemotePath, _remote.Branch, _remote.NewFolder("clone")));
        await mirror.FetchAsync(CancellationToken.None);
        return mirror;
    }

    private static string DevicePath(int i) => $"inventory/devices/node-{i:D5}.yaml";

    /// <summary>
    /// A bare repository whose branch main adds <paramref name="files"/> device files over <paramref name="commits"/>
    /// squash-style commits, built with git fast-import (LibGit2Sharp would rebuild a 10,000-entry tree per commit).
    /// </summary>
    private static string GenerateRepository(string path, int files, int commits)
    {
        Repository.Init(path, isBare: true);
        var script = new StringBuilder();
        var perCommit = files / commits;
        for (var c = 0; c < commits; c++)
        {
            var message = $"Add devices (#{c + 1})";
            script.Append(CultureInfo.InvariantCulture, $"commit refs/heads/main\ncommitter Gen <gen@example.com> {1_700_000_000 + (c * 60)} +0000\n");
            script.Append(CultureInfo.InvariantCulture, $"data {Encoding.UTF8.GetByteCount(message)}\n{message}\n");
            for (var f = c * perCommit; f < (c + 1) * perCommit; f++)
            {
                var content = $"mac: 02:00:00:00:{f / 256:x2}:{f % 256:x2}\nhostname: node-{f}\n";
                script.Append(CultureInfo.InvariantCulture, $"M 100644 inline {DevicePath(f)}\ndata {Encoding.UTF8.GetByteCount(content)}\n{content}\n");
            }
        }

        var start = new ProcessStartInfo("git", ["-C", path, "fast-import", "--quiet"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script.ToString());
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors.Result);

        // The mirror reads refs/remotes/origin/main; point it at the generated branch as a fetch would.
        using var repository = new Repository(path);
        repository.Refs.Add("refs/remotes/origin/main", repository.Refs["refs/heads/main"].TargetIdentifier);
        return path;
    }
}
