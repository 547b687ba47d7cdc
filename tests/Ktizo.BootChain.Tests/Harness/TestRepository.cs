namespace Ktizo.BootChain.Tests.Harness;

/// <summary>
/// A real git repository made from the repository's own example (inventory/ and templates/), committed
/// on branch main, as a user's repository would be. Approving a device is a commit adding its file.
/// </summary>
public sealed class TestRepository : IDisposable
{
    public TestRepository(string repositoryRoot)
    {
        Path = Directory.CreateTempSubdirectory("ktizo-boot-repo-").FullName;
        foreach (var folder in new[] { "inventory", "templates" })
        {
            Copy(System.IO.Path.Combine(repositoryRoot, folder), System.IO.Path.Combine(Path, folder));
        }

        Git("init", "-q", "-b", "main");
        Git("config", "user.name", "Ktizo boot test");
        Git("config", "user.email", "boot-test@ktizo.invalid");
        Git("add", "-A");
        Git("commit", "-q", "-m", "Example inventory");
    }

    public string Path { get; }

    public string Commit(string file, string content, string message)
    {
        var full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        Git("add", file);
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private string Git(params string[] args) => Commands.RunIn(Path, "git", args);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
