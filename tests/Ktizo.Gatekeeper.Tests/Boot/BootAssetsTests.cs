using Ktizo.Gatekeeper.Boot;

namespace Ktizo.Gatekeeper.Tests.Boot;

public sealed class BootAssetsTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("ktizo-assets-").FullName;
    private readonly string _folder;

    public BootAssetsTests()
    {
        _folder = Path.Combine(_parent, "talos");
        Directory.CreateDirectory(Path.Combine(_folder, "sub"));
        File.WriteAllText(Path.Combine(_folder, "vmlinuz"), "kernel");
        File.WriteAllText(Path.Combine(_folder, "sub", "nested"), "nested");
        File.WriteAllText(Path.Combine(_parent, "secret"), "secret");
        File.WriteAllText(Path.Combine(_folder, ".hidden"), "hidden");
        File.CreateSymbolicLink(Path.Combine(_folder, "link-out"), Path.Combine(_parent, "secret"));
        File.CreateSymbolicLink(Path.Combine(_folder, "link-in"), Path.Combine(_folder, "vmlinuz"));
        File.CreateSymbolicLink(Path.Combine(_folder, "link-dangling"), Path.Combine(_folder, "gone"));
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Theory]
    [InlineData("vmlinuz")]
    [InlineData("link-in")]
    public void Resolve_WithAFileInTheFolder_ReturnsItsPath(string name) =>
        Assert.Equal(Path.Combine(_folder, name), BootAssets.Resolve(_folder, name));

    [Fact]
    public void Resolve_WithTheFolderGivenWithTrailingSlash_StillResolves() =>
        Assert.Equal(Path.Combine(_folder, "vmlinuz"), BootAssets.Resolve(_folder + "/", "vmlinuz"));

    /// <summary>Every way out of the folder we could think of; each must be refused.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../secret")]
    [InlineData("..\\secret")]
    [InlineData("sub/../../secret")]
    [InlineData("sub/nested")]
    [InlineData("/etc/passwd")]
    [InlineData("//etc/passwd")]
    [InlineData("~/secret")]
    [InlineData("vmlinuz\0.txt")]
    [InlineData("vmlinuz/")]
    [InlineData("C:secret")]
    [InlineData(".hidden")]
    [InlineData("link-out")]
    [InlineData("link-dangling")]
    [InlineData("sub")]
    [InlineData("missing")]
    [InlineData("vmlinuz\n")]
    public void Resolve_WhenTheNameLeavesTheFolderOrIsNoFile_ReturnsNull(string? name) =>
        Assert.Null(BootAssets.Resolve(_folder, name));
}
