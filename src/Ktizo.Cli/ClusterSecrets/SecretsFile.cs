using Ktizo.Core;

namespace Ktizo.Cli.ClusterSecrets;

/// <summary>Writes secret material to a file only its owner can read (0600), never over an existing file.</summary>
public static class SecretsFile
{
    public static void WriteNew(string path, string text) => WriteNew(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    public static void WriteNew(string path, byte[] bytes)
    {
        if (File.Exists(path))
        {
            throw new KtizoException($"{path} exists: a secrets bundle is never overwritten (move it away first)");
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
