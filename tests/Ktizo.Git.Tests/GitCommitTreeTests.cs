using System.Security.Cryptography;
using System.Text;
using Ktizo.Testing.Git;

namespace Ktizo.Git.Tests;

public sealed class GitCommitTreeTests : IDisposable
{
    private readonly TempGitRemote _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Read_WorkingTreeHasUncommittedEdits_ReturnsCommittedContent()
    {
        _repo.WriteFile("inventory/devices/a.yaml", "committed\n")
            .WriteFile("inventory/devices/b.yaml", "kept\n");
        var sha = _repo.Commit("Add devices");
        _repo.WriteFile("inventory/devices/a.yaml", "edited, not committed\n")
            .WriteFile("inventory/devices/untracked.yaml", "new\n")
            .DeleteFile("inventory/devices/b.yaml");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        Assert.Equal(sha, tree.Commit);
        Assert.Equal("committed\n", Text(tree.Read("inventory/devices/a.yaml")));
        Assert.Equal("kept\n", Text(tree.Read("inventory/devices/b.yaml")));
        Assert.Null(tree.Read("inventory/devices/untracked.yaml"));
        Assert.Equal(["inventory/devices/a.yaml", "inventory/devices/b.yaml"], tree.ListFiles("inventory/devices"));
    }

    [Fact]
    public void Read_File_IdIsTheGitBlobSha()
    {
        const string content = "mac: 00:11:22:33:44:55\n";
        _repo.WriteFile("a.yaml", content);
        _repo.Commit("Add a");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");
        var file = tree.Read("a.yaml");

        // Computed independently of libgit2: sha1("blob <size>\0<bytes>").
        var bytes = Encoding.UTF8.GetBytes(content);
        var expected = Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));
        Assert.NotNull(file);
        Assert.Equal(expected, file.Id);
        Assert.Equal(expected, tree.FileId("a.yaml"));
        Assert.Equal("a.yaml", file.Path);
        Assert.Equal(bytes, file.Content.ToArray());
    }

    [Fact]
    public void ListFiles_NestedFolders_ReturnsOnlyDirectFilesSortedOrdinally()
    {
        _repo.WriteFile("inventory/devices/b.yaml", "b")
            .WriteFile("inventory/devices/B.yaml", "B")
            .WriteFile("inventory/devices/a-1.yaml", "a")
            .WriteFile("inventory/devices/sub/c.yaml", "c")
            .WriteFile("inventory/cluster.yaml", "x");
        _repo.Commit("Add");

        using var tree = GitTrees.Open(_repo.WorkPath, _repo.Branch);

        Assert.Equal(["inventory/devices/B.yaml", "inventory/devices/a-1.yaml", "inventory/devices/b.yaml"], tree.ListFiles("inventory/devices"));
        Assert.Equal(tree.ListFiles("inventory/devices"), tree.ListFiles("inventory/devices/"));
        Assert.Equal(["inventory/cluster.yaml"], tree.ListFiles("inventory"));
    }

    [Fact]
    public void ListFilesRecursive_FoldersOfDifferentDepth_ReturnsAllFilesInOrdinalOrder()
    {
        // Git sorts "a/" after "a.yaml" and "a-b"; the contract is plain ordinal order of the full paths.
        _repo.WriteFile("t/a/x.yaml", "1")
            .WriteFile("t/a.yaml", "2")
            .WriteFile("t/a-b.yaml", "3")
            .WriteFile("t/z.yaml", "4")
            .WriteFile("other/y.yaml", "5");
        _repo.Commit("Add");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        var expected = new[] { "t/a-b.yaml", "t/a.yaml", "t/a/x.yaml", "t/z.yaml" };
        Assert.Equal(expected.Order(StringComparer.Ordinal), tree.ListFilesRecursive("t"));
        Assert.Equal(5, tree.ListFilesRecursive("").Count);
    }

    [Fact]
    public void List_MissingFolderOrAFile_ReturnsEmpty()
    {
        _repo.WriteFile("inventory/cluster.yaml", "x");
        _repo.Commit("Add");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        Assert.Empty(tree.ListFiles("templates"));
        Assert.Empty(tree.ListFilesRecursive("templates"));
        Assert.Empty(tree.ListFiles("inventory/cluster.yaml"));
    }

    [Theory]
    [InlineData("../remote.git/HEAD")]
    [InlineData("inventory/../../remote.git/HEAD")]
    [InlineData("/etc/passwd")]
    [InlineData("inventory/./cluster.yaml")]
    [InlineData("inventory//cluster.yaml")]
    [InlineData("inventory\\cluster.yaml")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("inventory")]
    public void Read_PathOutsideTheTreeOrMalformedOrAFolder_ReturnsNull(string path)
    {
        _repo.WriteFile("inventory/cluster.yaml", "x");
        _repo.Commit("Add");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        Assert.NotNull(tree.Read("inventory/cluster.yaml"));
        Assert.NotNull(tree.FileId("inventory/cluster.yaml"));
        Assert.Null(tree.Read(path));
        Assert.Null(tree.FileId(path));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../work")]
    [InlineData("/")]
    public void ListFiles_FolderOutsideTheTree_ReturnsEmpty(string directory)
    {
        _repo.WriteFile("inventory/cluster.yaml", "x");
        _repo.Commit("Add");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        Assert.Empty(tree.ListFiles(directory));
        Assert.Empty(tree.ListFilesRecursive(directory));
    }

    [Fact]
    public void Read_SymbolicLink_IsNeitherListedNorRead()
    {
        _repo.WriteFile("inventory/devices/real.yaml", "x");
        File.CreateSymbolicLink(Path.Combine(_repo.WorkPath, "inventory/devices/link.yaml"), "/etc/hostname");
        _repo.Commit("Add a link");

        using var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        Assert.Equal(["inventory/devices/real.yaml"], tree.ListFiles("inventory/devices"));
        Assert.Null(tree.Read("inventory/devices/link.yaml"));
        Assert.Null(tree.FileId("inventory/devices/link.yaml"));
    }

    [Fact]
    public void Read_AfterDispose_ThrowsObjectDisposed()
    {
        _repo.WriteFile("a.yaml", "x");
        _repo.Commit("Add");
        var tree = GitTrees.Open(_repo.WorkPath, "HEAD");

        tree.Dispose();

        Assert.Throws<ObjectDisposedException>(() => tree.Read("a.yaml"));
        Assert.Throws<ObjectDisposedException>(() => tree.FileId("a.yaml"));
    }

    private static string? Text(Ktizo.Core.Files.TreeFile? file) => file is null ? null : Encoding.UTF8.GetString(file.Content.Span);
}
