namespace Ktizo.Testing;

/// <summary>
/// The official Talos material (release schemas, configs Talos's generator wrote) that some tests read.
/// It is not part of this repository: <c>KTIZO_TALOS_REFERENCE</c> names its folder, by default
/// <c>../shared/talos</c> beside the checkout (a relative value is taken from the checkout's root).
/// Without it the tests that need it skip (<see cref="TalosReferenceFactAttribute"/>); everything else
/// runs on <see cref="TalosShaped"/> data of this project's own writing.
/// </summary>
public static class TalosReference
{
    public const string Variable = "KTIZO_TALOS_REFERENCE";

    public const string SkipReason =
        "needs the official Talos reference material: set KTIZO_TALOS_REFERENCE or put it at ../shared/talos (see README)";

    private static readonly Lazy<string> FolderPath = new(Resolve);

    /// <summary>The folder the material is looked for in (absolute), whether or not it exists.</summary>
    public static string Folder => FolderPath.Value;

    public static bool Available => Directory.Exists(Folder);

    /// <summary>
    /// A file of the material, e.g. <c>config.schema.v1.13.9.json</c> or <c>examples/v1.13/base-worker.yaml</c>.
    /// Only for tests marked as needing it: when the folder is there but the file is not, that is a failure.
    /// </summary>
    public static string File(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(Folder, relative));
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Talos reference file {path} is missing: {Variable} (or ../shared/talos) points at {Folder}, which lacks it.", path);
        }

        return path;
    }

    public static string ReadText(string relative) => System.IO.File.ReadAllText(File(relative));

    private static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var folder = string.IsNullOrWhiteSpace(configured) ? Path.Combine("..", "shared", "talos") : configured;
        return Path.GetFullPath(Path.Combine(ExampleRepository.Root, folder));
    }
}
