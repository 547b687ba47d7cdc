using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ktizo.Storm;

/// <summary>
/// The least an ASP.NET Core answer costs on this machine, for bench/run-all.sh's "kestrel-floor" row: Kestrel
/// with the gatekeeper's transport settings (sockets, inline scheduling, no Server header, no logging) and one
/// terminal middleware that writes fixed bytes with the gatekeeper's headers. No routing, no exception handler,
/// no rate limit, no lookup, no recording. What the gatekeeper spends above this is its own; what this spends
/// above nginx is the framework's.
/// </summary>
internal static class KestrelFloor
{
    private const string Commit = "0000000000000000000000000000000000000000";

    public static async Task<int> RunAsync(int port, string approvedMac, string approvedFile)
    {
        var approved = await File.ReadAllBytesAsync(approvedFile);
        var pending = "Device not approved. Current status: pending"u8.ToArray();
        var approvedQuery = "?mac=" + approvedMac;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        await using var app = builder.Build();
        app.Run(context =>
        {
            var response = context.Response;
            var isApproved = context.Request.QueryString.Value == approvedQuery;
            var body = isApproved ? approved : pending;
            response.StatusCode = isApproved ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Ktizo-Commit"] = Commit;
            response.ContentType = isApproved ? "application/yaml" : "text/plain; charset=utf-8";
            response.ContentLength = body.Length;
            var write = response.Body.WriteAsync(body);
            return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
        });
        Console.WriteLine($"floor http://127.0.0.1:{port}");
        await app.RunAsync();
        return 0;
    }
}
