using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;

namespace Ktizo.Gatekeeper.Boot;

/// <summary>
/// A plain whole-file GET of a boot asset, the request every PXE boot makes for the 100 MB initramfs.
/// <c>PhysicalFile</c> in Kestrel copies FileStream → 64 KiB buffer → response pipe; this reads the file
/// straight into the pipe's own memory, a copy fewer. Everything else (HEAD, ranges, conditional
/// requests) stays with <c>PhysicalFile</c>, which is why <see cref="Fits"/> is strict.
/// </summary>
internal sealed class WholeFileResult(string path) : IResult
{
    /// <summary>What one read asks the pipe for; larger reads mean fewer syscalls and flushes per file.</summary>
    private const int ChunkBytes = 256 * 1024;

    /// <summary>True for a GET with no Range and no conditional header: one answer, 200 with the whole file.</summary>
    public static bool Fits(HttpRequest request)
    {
        var headers = request.Headers;
        return HttpMethods.IsGet(request.Method)
            && headers.Range.Count == 0
            && headers.IfRange.Count == 0
            && headers.IfMatch.Count == 0
            && headers.IfNoneMatch.Count == 0
            && headers.IfModifiedSince.Count == 0
            && headers.IfUnmodifiedSince.Count == 0;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.LastModified = HeaderUtilities.FormatDate(File.GetLastWriteTimeUtc(path));
        await Copy(file, length, httpContext);
    }

    private static async Task Copy(SafeFileHandle file, long length, HttpContext httpContext)
    {
        var writer = httpContext.Response.BodyWriter;
        var aborted = httpContext.RequestAborted;
        for (long offset = 0; offset < length;)
        {
            var buffer = writer.GetMemory((int)Math.Min(ChunkBytes, length - offset));
            // A synchronous read: the asset sits in the page cache, and an async file read on Linux is a thread-pool hop.
            var read = RandomAccess.Read(file, buffer.Span[..(int)Math.Min(buffer.Length, length - offset)], offset);
            if (read == 0)
            {
                // The file shrank after Content-Length went out: cut the connection so the client sees a short download.
                httpContext.Abort();
                return;
            }

            writer.Advance(read);
            offset += read;
            var flushed = await writer.FlushAsync(aborted);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }
}
