using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// A webhook receiver on a real Kestrel at 127.0.0.1 on a port of its own that it keeps across <see cref="StopAsync"/>
/// and <see cref="StartAsync"/> (stopped, connections to it are refused). It records every delivery it answered 2xx,
/// in order, and every attempt; <see cref="FailWith"/> makes it answer that status instead.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hooks/ktizo?token=in-the-url");

    /// <summary>Non-null: every request is answered with it and not recorded as delivered.</summary>
    public int? FailWith { get; set; }

    /// <summary>How many of the next requests are held for 3 s before they are answered (a receiver that hangs).</summary>
    public int Hang;

    public ConcurrentQueue<Delivery> Delivered { get; } = new();

    public ConcurrentQueue<Delivery> Attempts { get; } = new();

    public static async Task<WebhookReceiver> StartNewAsync(bool listening = true)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var receiver = new WebhookReceiver(port);
        if (listening)
        {
            await receiver.StartAsync();
        }

        return receiver;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/hooks/ktizo", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var delivery = new Delivery(
                body.ToArray(),
                context.Request.Headers["X-Ktizo-Signature-256"].ToString(),
                context.Request.Headers["X-Ktizo-Event-Id"].ToString(),
                context.Request.Headers["X-Ktizo-Event"].ToString(),
                context.Request.ContentType);
            Attempts.Enqueue(delivery);
            if (Interlocked.Decrement(ref Hang) >= 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
            }
            if (FailWith is { } status)
            {
                return Results.Text("receiver trouble", statusCode: status);
            }

            Delivered.Enqueue(delivery);
            return Results.NoContent();
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was delivered.</summary>
    public async Task<IReadOnlyList<Delivery>> WaitAsync(Func<IReadOnlyList<Delivery>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var seen = Delivered.ToList();
            if (done(seen))
            {
                return seen;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"receiver got {seen.Count} deliveries: {string.Join(", ", seen.Select(d => d.Type))}");
            }

            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public sealed record Delivery(byte[] Body, string Signature, string EventId, string Type, string? ContentType)
    {
        public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
    }
}
