using Ktizo.Core;
using Ktizo.Testing.Git;
using LibGit2Sharp;

namespace Ktizo.Git.Tests;

public sealed class GitTreesTests : IDisposable
{
    private readonly TempGitRemote _repo = new(branch: "trunk");
    private readonly string _first;
    private readonly string _second;

    public GitTreesTests()
    {
        _repo.WriteFile("a.yaml", "one");
        _first = _repo.Commit("First");
        _repo.WriteFile("a.yaml", "two");
        _second = _repo.Commit("Second");
        _repo.Push();

        using var work = new Repository(_repo.WorkPath);
        work.Tags.Add("v1-light", _first);
        work.Tags.Add("v1-annotated", _first, new Signature("T", "t@example.com", DateTimeOffset.UnixEpoch), "release 1");
        // origin/trunk exists only after a fetch, as in any clone.
        Commands.Fetch(work, "origin", [], null, null);
    }

    public void Dispose() => _repo.Dispose();

    [Theory]
    [InlineData("trunk", true)]
    [InlineData("HEAD", true)]
    [InlineData("origin/trunk", true)]
    [InlineData("refs/heads/trunk", true)]
    [InlineData("HEAD~1", false)]
    [InlineData("v1-light", false)]
    [InlineData("v1-annotated", false)]
    public void Open_RevisionForms_ResolveToTheirCommit(string revision, bool isSecond)
    {
        using var tree = GitTrees.Open(_repo.WorkPath, revision);

        Assert.Equal(isSecond ? _second : _first, tree.Commit);
    }

    [Fact]
    public void Open_FullOrShortSha_ResolvesToFullSha()
    {
        using var full = GitTrees.Open(_repo.WorkPath, _first);
        using var shortSha = GitTrees.Open(_repo.WorkPath, _first[..8]);

        Assert.Equal(_first, full.Commit);
        Assert.Equal(_first, shortSha.Commit);
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(shortSha.Read("a.yaml")!.Content.Span));
    }

    [Fact]
    public void Open_BareRepositoryOrGitFolder_Works()
    {
        using var bare = GitTrees.Open(_repo.RemotePath, "trunk");
        using var gitFolder = GitTrees.Open(Path.Combine(_repo.WorkPath, ".git"), "trunk");

        Assert.Equal(_second, bare.Commit);
        Assert.Equal(_second, gitFolder.Commit);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("master")]
    [InlineData("0123456789abcdef0123456789abcdef01234567")]
    [InlineData("no-such-tag")]
    public void Open_UnknownRevision_ThrowsKtizoExceptionNamingIt(string revision)
    {
        var error = Assert.Throws<KtizoException>(() => GitTrees.Open(_repo.WorkPath, revision));

        Assert.Contains($"Unknown revision '{revision}'", error.Message);
        Assert.Contains(_repo.WorkPath, error.Message);
    }

    [Theory]
    [InlineData("trunk@{")]
    [InlineData("")]
    public void Open_MalformedRevision_ThrowsKtizoException(string revision)
    {
        var error = Assert.Throws<KtizoException>(() => GitTrees.Open(_repo.WorkPath, revision));

        Assert.Contains(_repo.WorkPath, error.Message);
    }

    [Theory]
    [InlineData("HEAD^{tree}")]
    [InlineData("HEAD:a.yaml")]
    public void Open_RevisionNamingATreeOrFile_ThrowsNotACommit(string revision)
    {
        var error = Assert.Throws<KtizoException>(() => GitTrees.Open(_repo.WorkPath, revision));

        Assert.Contains("not a commit", error.Message);
    }

    [Fact]
    public void Open_FolderThatIsNotARepository_ThrowsKtizoException()
    {
        var folder = _repo.NewFolder("plain");
        Directory.CreateDirectory(folder);

        var error = Assert.Throws<KtizoException>(() => GitTrees.Open(folder, "HEAD"));
        var missing = Assert.Throws<KtizoException>(() => GitTrees.Open(_repo.NewFolder("missing"), "HEAD"));

        Assert.Contains("not a git repository", error.Message);
        Assert.Contains("not a git repository", missing.Message);
    }

    [Fact]
    public void Open_RepositoryWithoutCommits_ThrowsKtizoException()
    {
        using var empty = new TempGitRemote();

        var error = Assert.Throws<KtizoException>(() => GitTrees.Open(empty.WorkPath, "HEAD"));

        Assert.Contains("HEAD", error.Message);
    }
}
