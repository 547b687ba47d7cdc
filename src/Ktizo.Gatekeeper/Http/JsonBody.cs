using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// Reads a small JSON body with the answers the contract promises: 415 for another content type,
/// 413 past the size limit (whether or not Content-Length says so), 400 for JSON that does not parse.
/// </summary>
internal static class JsonBody
{
    /// <summary>Machines send a MAC and a uuid; 16 KiB is generous.</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context, int maxBytes = MaxBytes)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }

        var (body, tooLarge) = await ReadLimitedAsync(request, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            return (null, Problems.TooLarge(maxBytes));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, ApiJson.Options);
            return value is null ? (null, Problems.BadRequest("Invalid JSON", "The body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Invalid JSON", $"The body is not valid JSON for this call: {ex.Message}"));
        }
    }

    /// <summary>The body, or tooLarge once it passes <paramref name="maxBytes"/> (reading stops there).</summary>
    public static async Task<(byte[] Body, bool TooLarge)> ReadLimitedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return ([], true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return ([], true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), false);
    }
}
