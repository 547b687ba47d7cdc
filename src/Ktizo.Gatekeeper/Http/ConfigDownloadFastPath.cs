using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// <c>GET /api/v1/config/download</c> answered before routing: the call every booting machine makes
/// (and the one benchmarked against nginx) skips the route matcher, the status-code pages and
/// prometheus-net's three per-request HTTP metrics (in progress, count, duration with an exemplar), a
/// share of every answer's CPU (docs/benchmarks.md, item 4). Its answers are counted by <c>ktizo_config_requests_total</c>.
/// The exception handler and the rate limiter run before it. Any other spelling of the path (a
/// trailing slash) still reaches the mapped route and the same handler.
/// </summary>
public static class ConfigDownloadFastPath
{
    public const string Path = "/api/v1/config/download";

    public static IApplicationBuilder UseConfigDownloadFastPath(this IApplicationBuilder app)
    {
        var handler = app.ApplicationServices.GetRequiredService<ConfigDownloadHandler>();
        return app.Use((context, next) =>
            HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase)
                ? handler.GetAsync(context)
                : next(context));
    }
}
