using Ktizo.Core;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// An exclusive lock on <c>DataFolder/.lock</c> for the life of the gatekeeper: two gatekeepers
/// fetching into one clone and writing one store would corrupt both. The operating system drops
/// the lock when the process dies, however it dies.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    private readonly FileStream _file;

    private DataFolderLock(FileStream file) => _file = file;

    public static DataFolderLock Acquire(string dataFolder)
    {
        var path = Path.Combine(dataFolder, ".lock");
        try
        {
            Directory.CreateDirectory(dataFolder);
            return new DataFolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new KtizoException(
                $"The data folder '{dataFolder}' is in use by another gatekeeper (or cannot be locked: {ex.Message}). Give each gatekeeper its own DataFolder.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new KtizoException($"The data folder '{dataFolder}' is not writable: {ex.Message}", ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
