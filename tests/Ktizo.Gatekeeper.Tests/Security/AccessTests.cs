using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Security;

/// <summary>
/// Issue 15, finding 1: a hostile client on the network listed every approved MAC, address, source address, user
/// agent, uuid and approver through the device list, one device, the page and its live part, and read the remote's
/// URL in /readyz. Each route is called as anonymous, viewer, admin and with a wrong token over real HTTP.
/// </summary>
public sealed class AccessTests(ITestOutputHelper output)
{
    private const string ApprovedMac = "52:54:00:00:05:11";
    private const string PendingMac = "52:54:00:77:88:99";
    private const string PendingUserAgent = "Talos/1.12 secret-agent";

    public enum As
    {
        Anonymous,
        Viewer,
        Admin,
        WrongToken,
    }

    public static TheoryData<string, string, As, int> Routes()
    {
        var data = new TheoryData<string, string, As, int>();
        void Row(string method, string path, int anonymous, int viewer, int admin, int wrong)
        {
            data.Add(method, path, As.Anonymous, anonymous);
            data.Add(method, path, As.Viewer, viewer);
            data.Add(method, path, As.Admin, admin);
            data.Add(method, path, As.WrongToken, wrong);
        }

        // Readers' routes.
        Row("GET", "/api/v1/devices", 401, 200, 200, 401);
        Row("GET", $"/api/v1/devices/{ApprovedMac}", 401, 200, 200, 401);
        Row("GET", $"/api/v1/devices/{PendingMac}", 401, 200, 200, 401);
        Row("GET", "/", 401, 200, 200, 401);
        Row("GET", "/ui/live", 401, 200, 200, 401);
        // Admin only: a viewer token is no admin token.
        Row("POST", "/api/v1/sync", 401, 401, 200, 401);
        // Public: what machines and monitoring need.
        Row("GET", $"/api/v1/config/download?mac={ApprovedMac}", 200, 200, 200, 200);
        Row("GET", "/healthz", 200, 200, 200, 200);
        Row("GET", "/readyz", 200, 200, 200, 200);
        Row("GET", "/metrics", 200, 200, 200, 200);
        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_AnswersEachCallerAsTheSecurityTableSays(string method, string path, As caller, int expected)
    {
        await using var gatekeeper = await StartAsync();
        using var client = ClientAs(gatekeeper, caller);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 401)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
            if (caller == As.WrongToken && path.StartsWith("/api/v1/devices", StringComparison.Ordinal))
            {
                Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
            }
        }

        if (expected == 401 || path.StartsWith("/api/v1/config", StringComparison.Ordinal) || path is "/healthz" or "/metrics")
        {
            // Nothing a refused or public answer says names a device it was not asked about.
            Assert.DoesNotContain(PendingMac, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(PendingUserAgent, body, StringComparison.Ordinal);
        }

        if (expected == 401 && path.StartsWith("/api/", StringComparison.Ordinal))
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task DevicePage_WithoutSignIn_ShowsTheSignInFormAndNoDevice()
    {
        await using var gatekeeper = await StartAsync();
        using var anonymous = ClientAs(gatekeeper, As.Anonymous);

        var page = await anonymous.GetStringAsync_AnyStatus("/");
        var live = await anonymous.GetStringAsync_AnyStatus("/ui/live");

        Assert.Contains("form class=\"signin\"", page, StringComparison.Ordinal);
        foreach (var html in new[] { page, live })
        {
            Assert.DoesNotContain(ApprovedMac, html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(PendingMac, html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("10.0.5.11", html, StringComparison.Ordinal);
            Assert.DoesNotContain("cp-01", html, StringComparison.Ordinal);
        }

        // The viewer sees both machines, and no approve button.
        using var viewer = ClientAs(gatekeeper, As.Viewer);
        var seen = await viewer.GetStringAsync("/");
        Assert.Contains(ApprovedMac, seen, StringComparison.Ordinal);
        Assert.Contains(PendingMac, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("Approve or reject", seen, StringComparison.Ordinal);
        Assert.Contains("Signed in as viewer", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_ForAnonymous_IsStatusOnly_AndSignedInCallersGetTheDetail()
    {
        await using var gatekeeper = await StartAsync();
        using var anonymous = ClientAs(gatekeeper, As.Anonymous);

        using var status = await anonymous.GetAsync("/readyz");
        var brief = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(["ready", "status"], brief.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ready", brief.GetProperty("status").GetString());

        var detail = await gatekeeper.Host.ReadinessAsync();
        Assert.True(detail.TryGetProperty("commit", out _));
        Assert.True(detail.GetProperty("store").GetProperty("writable").GetBoolean());
    }

    [Fact]
    public async Task DeviceList_WhenNoTokenIsConfigured_IsClosedToEveryone_AndTheLogSaysHow()
    {
        var logged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var source = new FakeRepositorySource();
        using var data = new TempFolder("ktizo-closed");
        var tree = new Core.Files.InMemoryFileTree(new string('1', 40)).Add("inventory/cluster.yaml", MiniRenderer.ClusterFile);
        source.Commit(tree);
        // Built without --admin-token and --viewer-token.
        var app = GatekeeperApp.Build(
            ["--repository", data.Path, "--branch", "main", "--data-folder", data.Sub("data"), "--urls", "http://127.0.0.1:0", "--poll-interval", "1h", "--rate-limit-permits", "0"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(new TestOutputLoggerProvider(output, logged));
                builder.Services.AddSingleton<Sync.IRepositorySource>(source);
                builder.Services.AddSingleton<Sync.IConfigRenderer>(new MiniRenderer());
            },
            configureApp: null);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatekeeperHost.ViewerToken);
            using var list = await client.GetAsync("/api/v1/devices");
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            Assert.Contains("set ViewerToken or AdminToken to read devices", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var page = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
            Assert.Contains("set ViewerToken or AdminToken to read devices", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains(logged, l => l.Contains("set ViewerToken or AdminToken to read devices", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task ViewerToken_TheSameAsAdminToken_IsAStartupError()
    {
        using var data = new TempFolder("ktizo-same");
        var error = Assert.Throws<Core.KtizoException>(() => GatekeeperApp.Build(
            ["--repository", data.Path, "--data-folder", data.Sub("data"), "--admin-token", GatekeeperHost.AdminToken, "--viewer-token", GatekeeperHost.AdminToken, "--viewer-token", GatekeeperHost.AdminToken],
            null,
            null));
        Assert.Contains("ViewerToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GatekeeperHost.AdminToken, error.Message, StringComparison.Ordinal);
    }

    private async Task<FakeGatekeeper> StartAsync()
    {
        var gatekeeper = await FakeGatekeeper.StartAsync(output, [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(ApprovedMac, "cp-01", "10.0.5.11/24", "controlplane"))]);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/config/download?mac={PendingMac}");
        request.Headers.UserAgent.ParseAdd(PendingUserAgent);
        using (var pending = await gatekeeper.Client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        }

        return gatekeeper;
    }

    private static HttpClient ClientAs(FakeGatekeeper gatekeeper, As caller)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = gatekeeper.Client.BaseAddress };
        var token = caller switch
        {
            As.Viewer => GatekeeperHost.ViewerToken,
            As.Admin => GatekeeperHost.AdminToken,
            // As long as the real ones, differing in the last character only.
            As.WrongToken => GatekeeperHost.AdminToken[..^1] + "X",
            _ => null,
        };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}

internal static class AnyStatus
{
    public static async Task<string> GetStringAsync_AnyStatus(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await response.Content.ReadAsStringAsync();
    }
}
