using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ktizo.Gatekeeper.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>The whole gatekeeper on a real Kestrel at 127.0.0.1 on a free port, built through <see cref="GatekeeperApp.Build(string[], Action{WebApplicationBuilder}?, Action{WebApplication}?)"/>.</summary>
public sealed class GatekeeperHost : IAsyncDisposable
{
    public const string WebhookSecret = "webhook-secret-0123456789";
    public const string AdminToken = "admin-token-0123456789";
    public const string ViewerToken = "viewer-token-0123456789";

    private GatekeeperHost(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>
    /// Starts a gatekeeper on <paramref name="dataFolder"/>. Polling is off (1 h) so a test decides when
    /// to sync; the rate limit is off unless <paramref name="extraArgs"/> sets it.
    /// </summary>
    public static async Task<GatekeeperHost> StartAsync(
        ITestOutputHelper output, string repository, string dataFolder, IEnumerable<string>? extraArgs = null, Action<IServiceCollection>? services = null,
        System.Collections.Concurrent.ConcurrentQueue<string>? log = null)
    {
        string[] args =
        [
            "--repository", repository, "--branch", "main", "--data-folder", dataFolder, "--urls", "http://127.0.0.1:0",
            "--poll-interval", "1h", "--webhook-secret", WebhookSecret, "--admin-token", AdminToken, "--viewer-token", ViewerToken, "--rate-limit-permits", "0",
            .. extraArgs ?? [],
        ];
        var app = GatekeeperApp.Build(
            args,
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(new TestOutputLoggerProvider(output, log));
                services?.Invoke(builder.Services);
            },
            configureApp: null);
        await app.StartAsync();
        // Reading devices and the readiness detail needs sign-in (issue 15): the tests' client reads as the viewer;
        // the access tests send their own Authorization (or none) through a client of their own.
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        return new GatekeeperHost(app, client);
    }

    /// <summary>POST /api/v1/sync with the admin token: returns once a fresh sync has finished.</summary>
    public async Task<JsonElement> SyncAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> ReadinessAsync()
    {
        using var response = await Client.GetAsync("/readyz");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the approvals of <paramref name="commit"/> are known (they are found after the swap, off the sync loop).</summary>
    public async Task WaitForApprovalsAsync(string commit, TimeSpan? timeout = null)
    {
        var state = Get<Serving.ServingState>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (state.Approvals.Commit != commit)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"approvals of {commit} not known; still {state.Approvals.Commit ?? "none"}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits until /readyz reports <paramref name="commit"/> as served (the sync loop runs on its own).</summary>
    public async Task WaitForCommitAsync(string commit, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var ready = await ReadinessAsync();
            if (ready.TryGetProperty("commit", out var c) && c.GetString() == commit)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"commit {commit} not served; /readyz says {ready}");
            }

            await Task.Delay(50);
        }
    }

    public Task<HttpResponseMessage> GetConfigAsync(string rawQuery) => Client.GetAsync("/api/v1/config/download?" + rawQuery);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
