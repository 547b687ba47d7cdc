using Ktizo.Core;
using Ktizo.Core.Boot;
using Ktizo.Gatekeeper.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Boot;

/// <summary>
/// The HTTP half of the boot chain: the iPXE script dnsmasq points iPXE at, and the Talos kernel and
/// initramfs it loads. Neither is secret; the machine config is, and lives behind the approval check.
/// </summary>
public static class BootEndpoints
{
    public static IEndpointRouteBuilder MapBoot(this IEndpointRouteBuilder app)
    {
        app.MapGet("/boot.ipxe", GetScript);
        // GET and HEAD, whole files or byte ranges: firmware and iPXE builds differ in what they ask for.
        app.MapMethods("/talos/{file}", [HttpMethods.Get, HttpMethods.Head], GetAsset);
        return app;
    }

    /// <summary>
    /// Binds <see cref="BootOptions"/> to the <c>Boot</c> section (<c>KTIZO_BOOT__ASSETSPATH</c>, <c>--boot-assets-path</c>, …)
    /// and falls back to the gatekeeper's <c>PublicBaseUrl</c>; the settings validator checks the result at start-up.
    /// </summary>
    public static IServiceCollection AddBoot(this IServiceCollection services)
    {
        services.AddOptions<BootOptions>()
            .BindConfiguration(BootOptions.Section)
            .PostConfigure<IConfiguration>((o, configuration) => o.PublicBaseUrl ??= configuration[nameof(Settings.GatekeeperOptions.PublicBaseUrl)]);
        return services;
    }

    internal static Results<ContentHttpResult, ProblemHttpResult> GetScript(HttpRequest request, IOptions<BootOptions> options, ILoggerFactory logs)
    {
        var settings = options.Value;
        Uri baseUrl;
        if (settings.PublicBaseUrl is { Length: > 0 } configured)
        {
            baseUrl = new Uri(configured);
        }
        else if (RequestAuthority.Of(request) is { } authority)
        {
            baseUrl = new Uri($"{request.Scheme}://{authority}{request.PathBase}");
        }
        else
        {
            return TypedResults.Problem(
                "The Host header is not a host[:port].", statusCode: StatusCodes.Status400BadRequest, title: "Bad Host header");
        }

        try
        {
            // The served cluster decides Talos's kernel arguments and whether the device flow's are added; the boot
            // module also runs without the gatekeeper's serving state (its own tests, a boot-only host).
            var snapshot = request.HttpContext.RequestServices.GetService<ServingState>()?.Snapshot;
            var script = BootScript.Render(baseUrl, settings.AllKernelArgs(snapshot?.Set.Cluster), snapshot?.DeviceAuth ?? false);
            logs.CreateLogger(typeof(BootEndpoints)).LogInformation("Boot script served to {RemoteAddress} ({UserAgent})",
                request.HttpContext.Connection.RemoteIpAddress, request.Headers.UserAgent.ToString());
            return TypedResults.Text(script, "text/plain; charset=utf-8");
        }
        catch (KtizoException e)
        {
            logs.CreateLogger(typeof(BootEndpoints)).LogError("Boot script not served: {Reason}", e.Message);
            return TypedResults.Problem("The boot script is misconfigured; see the gatekeeper's log.", statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    internal static Results<WholeFileResult, PhysicalFileHttpResult, NotFound> GetAsset(string file, HttpRequest request, IOptions<BootOptions> options, ILoggerFactory logs)
    {
        var folder = options.Value.AssetsPath;
        var path = folder is null ? null : BootAssets.Resolve(folder, file);
        if (path is null)
        {
            logs.CreateLogger(typeof(BootEndpoints)).LogWarning("Boot asset {File} refused or missing", file);
            return TypedResults.NotFound();
        }

        if (WholeFileResult.Fits(request))
        {
            return new WholeFileResult(path);
        }

        return TypedResults.PhysicalFile(path, "application/octet-stream", lastModified: File.GetLastWriteTimeUtc(path), enableRangeProcessing: true);
    }
}
