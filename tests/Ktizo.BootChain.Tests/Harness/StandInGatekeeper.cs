using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ktizo.Cli.Sources;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Boot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.BootChain.Tests.Harness;

/// <summary>
/// INTERIM, until `ktizo serve` exists on main: the smallest server that answers what the boot chain
/// asks, listening inside the lab's namespace. /boot.ipxe and /talos/ are the real gatekeeper endpoints
/// (<see cref="BootEndpoints.MapBoot"/>); configs come from the real renderer over the test repository's
/// HEAD, re-read when the push webhook is posted. Config download, device list and webhook are stand-ins
/// of the gatekeeper's, with its paths, shapes and signature check, so the test reads the same either way.
/// </summary>
public sealed class StandInGatekeeper : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<MacAddress, DateTime> _seen = new();
    private RenderedSet _set;

    private StandInGatekeeper(WebApplication app, RenderedSet set)
    {
        _app = app;
        _set = set;
    }

    public static async Task<StandInGatekeeper> StartAsync(BootLab lab, TestRepository repository, string webhookSecret)
    {
        var listener = NetNs.CreateSocket(lab.Namespace, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(BootLab.BridgeAddress), BootLab.GatekeeperPort));
        listener.Listen(64);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.ListenHandle((ulong)listener.Handle));
        builder.Services.Configure<BootOptions>(o =>
        {
            o.AssetsPath = Path.Combine(lab.TftpRoot, "talos");
            o.PublicBaseUrl = lab.GatekeeperUrl.ToString();
            o.ConsoleArgs = "console=ttyS0";
        });
        var app = builder.Build();
        var gatekeeper = new StandInGatekeeper(app, Render(repository));
        app.MapBoot();
        app.MapGet("/api/v1/config/download", (string? mac) => gatekeeper.Download(mac));
        app.MapGet("/api/v1/devices", () => TypedResults.Json(new
        {
            commit = gatekeeper._set.Commit,
            devices = gatekeeper._seen.Keys.Order().Select(m => new { mac = m.ToString(), status = gatekeeper._set.StatusOf(m).Name() }),
        }));
        app.MapPost("/api/v1/webhooks/github", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (request.Headers["X-Hub-Signature-256"] != Webhook.Signature(webhookSecret, body.ToArray()))
            {
                return Results.Unauthorized();
            }

            gatekeeper._set = Render(repository);
            return Results.Accepted();
        });
        await app.StartAsync();
        return gatekeeper;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private IResult Download(string? mac)
    {
        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return TypedResults.BadRequest("malformed MAC");
        }

        _seen.TryAdd(parsed, DateTime.UtcNow);
        var set = _set;
        return set.Approved.TryGetValue(parsed, out var config)
            ? TypedResults.Bytes(config.Yaml, "application/yaml")
            : TypedResults.Text($"Device not approved. Current status: {set.StatusOf(parsed).Name()}", statusCode: StatusCodes.Status403Forbidden);
    }

    private static RenderedSet Render(TestRepository repository)
    {
        using var source = TreeSource.Open(repository.Path, "HEAD");
        var result = Renderer.Render(source.Tree);
        return result.Set ?? throw new InvalidOperationException("the test repository does not render: " + string.Join("; ", result.Errors));
    }
}
