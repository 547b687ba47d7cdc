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
