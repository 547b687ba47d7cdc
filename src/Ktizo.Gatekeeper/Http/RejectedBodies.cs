using Ktizo.Gatekeeper.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// A body Kestrel cannot read is the client's fault: malformed chunked encoding (400), a body slower than
/// Kestrel's minimum data rate (408), one past its size limit (413). Kestrel reports each by throwing
/// <see cref="BadHttpRequestException"/> from the handler's read, which the exception handler would answer
/// 500 with an error-level stack trace. Here it is answered with the status Kestrel chose and logged once at
/// debug. It sits inside prometheus-net's HTTP middleware, so <c>http_requests_received_total</c> counts it
/// under that status.
/// </summary>
public static class RejectedBodies
{
    public static IApplicationBuilder UseRejectedBodies(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RejectedBodies));
        return app.Use((context, next) =>
        {
            var task = next(context);
            return task.IsCompletedSuccessfully ? Task.CompletedTask : AwaitAsync(task, context, logger);
        });
    }

    private static async Task AwaitAsync(Task handler, HttpContext context, ILogger logger)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && Unreadable(ex) is { } bad)
        {
            Log.BodyRejected(logger, bad.StatusCode, context.Request.Method, context.Request.Path.Value, context.Connection.RemoteIpAddress, bad.Message);
            context.Response.Clear();
            context.Response.StatusCode = bad.StatusCode;
        }
    }

    // Anti-forgery reads the sign-in form itself and wraps Kestrel's exception in its own.
    private static BadHttpRequestException? Unreadable(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is BadHttpRequestException bad)
            {
                return bad;
            }
        }

        return null;
    }
}
