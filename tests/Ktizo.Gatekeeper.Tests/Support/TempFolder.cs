namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>A folder under the system temp path, deleted with the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "ktizo-gk")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="file"/> readable by its owner only (0600), as the gatekeeper
    /// demands of a secrets bundle; an existing file is replaced, not rewritten in place, so its old mode goes with it.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string WritePrivate(string file, string text)
    {
        File.Delete(file);
        File.WriteAllText(file, text);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    public void Dispose()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still held open by a failing test; the system cleans its temp folder.
        }
    }
}
