using System.Runtime.InteropServices;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>glibc's allocator, asked to give back what libgit2 and SQLite freed.</summary>
internal static class NativeMethods
{
    private static bool _unavailable;

    /// <summary>
    /// Returns free native heap memory to the OS. glibc keeps what a thread's arena freed (libgit2 reading 10,000
    /// blobs on a thread-pool thread) for reuse, and RSS keeps it too; malloc_trim releases the unused pages.
    /// A no-op where there is no glibc (musl, macOS, Windows).
    /// </summary>
    public static void TrimNativeHeap()
    {
        if (_unavailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = malloc_trim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int malloc_trim(nuint pad);
}
