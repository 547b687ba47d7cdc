using Ktizo.Core.Files;

namespace Ktizo.Testing;

/// <summary>
/// This repository's own example (inventory/ and templates/), loaded into memory so a test can change a
/// file and see what the validator says, without touching the checkout.
/// </summary>
public static class ExampleRepository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The checkout's root: the folder holding Ktizo.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A fresh copy of the example's inventory/ and templates/ (a new object each call, free to change).</summary>
    public static InMemoryFileTree Load(string? commit = null)
    {
        var tree = new InMemoryFileTree(commit);
        foreach (var top in new[] { "inventory", "templates" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, top), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                tree.Add(Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes(file));
            }
        }

        return tree;
    }

    /// <summary>Copies inventory/ and templates/ into <paramref name="destination"/> (for tests that need them on disk or in git).</summary>
    public static void CopyTo(string destination)
    {
        foreach (var top in new[] { "inventory", "templates" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, top), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(destination, Path.GetRelativePath(Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ktizo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Ktizo.sln above {AppContext.BaseDirectory}: run the tests from a checkout.");
    }
}
