using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// HEAD on any GET route answers as GET would, without the body (RFC 9110, 9.3.2). Routing sees the request
/// as a GET, so every route mapped with MapGet matches it; after routing the method is HEAD again, so the
/// handler (the boot assets answer HEAD themselves, without reading the file) and the metrics see what was
/// sent. Kestrel never writes a body in answer to a HEAD, whatever the handler writes.
/// </summary>
public static class HeadRequests
{
    public static IApplicationBuilder UseRoutingWithHeadAsGet(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Features.Set(HeadMarker.Instance);
                context.Request.Method = HttpMethods.Get;
            }

            return next(context);
        });
        app.UseRouting();
        return app.Use((context, next) =>
        {
            // A feature Kestrel does not know: a lookup in an empty list, no allocation, on every other request.
            if (context.Features.Get<HeadMarker>() is not null)
            {
                context.Request.Method = HttpMethods.Head;
            }

            return next(context);
        });
    }

    private sealed class HeadMarker
    {
        public static readonly HeadMarker Instance = new();
    }
}
