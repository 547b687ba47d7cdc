using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.DeviceAuth;

/// <summary>
/// The device flow on a real Kestrel, driven as Talos drives it: the config download of a device with
/// <c>deviceAuth</c> on needs the token of the flow a person confirmed (or the single first claimant), for its MAC.
/// </summary>
public sealed class DeviceAuthHttpTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ConfirmMac = "52:54:00:00:05:11";
    private const string FirstMac = "52:54:00:00:05:12";
    private const string OffMac = "52:54:00:00:05:13";
    private const string RejectedMac = "52:54:00:00:05:99";
    private const string Uuid = "4c4c4544-0042-3910-8036-b4c04f4d4d31";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGatekeeper _gatekeeper = null!;

    private HttpClient Client => _gatekeeper.Client;

    public async Task InitializeAsync() => _gatekeeper = await FakeGatekeeper.StartAsync(
        output,
        [
            ("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(ConfirmMac, "cp-01", "10.0.5.11/24") + "deviceAuth: confirm\n"),
            ("inventory/devices/cp-02.yaml", MiniRenderer.DeviceFile(FirstMac, "cp-02", "10.0.5.12/24") + "deviceAuth: first\n"),
            ("inventory/devices/cp-03.yaml", MiniRenderer.DeviceFile(OffMac, "cp-03", "10.0.5.13/24")),
            ("inventory/devices/bad.yaml", MiniRenderer.RejectedFile(RejectedMac)),
        ],
        services: s => s.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _gatekeeper.DisposeAsync();

    [Fact]
    public async Task Confirm_DownloadWithoutToken401_ConfirmedFlowGetsToken_DownloadWithItServes()
    {
        var talos = new TalosOAuthClient(Client, ConfirmMac, Uuid);
        using (var refused = await talos.DownloadAsync(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
            Assert.DoesNotContain("cp-01", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (status, device) = await talos.DeviceCodeAsync();
        Assert.Equal(200, status);
        var deviceCode = device.GetProperty("device_code").GetString()!;
        var userCode = device.GetProperty("user_code").GetString()!;
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", userCode);
        Assert.Equal(600, device.GetProperty("expires_in").GetInt32());
        Assert.Equal(5, device.GetProperty("interval").GetInt32());
        Assert.StartsWith("http://127.0.0.1:", device.GetProperty("verification_uri").GetString(), StringComparison.Ordinal);

        var (pendingStatus, pending) = await talos.TokenAsync(deviceCode);
        Assert.Equal(400, pendingStatus);
        Assert.Equal("authorization_pending", pending.GetProperty("error").GetString());

        // The flow is listed for the administrator with what tells claimants apart; never with its device code.
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/device-auth/flows");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatekeeperHost.AdminToken);
        using var listed = await Client.SendAsync(list);
        var flows = await listed.Content.ReadAsStringAsync();
        Assert.Contains(userCode, flows, StringComparison.Ordinal);
        Assert.Contains(Uuid, flows, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", flows, StringComparison.Ordinal);
        Assert.DoesNotContain(deviceCode, flows, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await ConfirmAsync(userCode, "not-the-admin-token-at-all")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync("BCDF-GHJK" == userCode ? "ZZZZ-ZZZZ" : "BCDF-GHJK")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ConfirmAsync("AEIOU")).StatusCode);
        using (var confirmed = await ConfirmAsync(userCode.ToLowerInvariant()))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains(ConfirmMac, await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        var (tokenStatus, token) = await talos.TokenAsync(deviceCode, basicAuth: false);
        Assert.Equal(200, tokenStatus);
        var accessToken = token.GetProperty("access_token").GetString()!;
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());

        using (var served = await talos.DownloadAsync(accessToken))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Contains("hostname: cp-01", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The token opens only its own MAC's config; the device code yields no second token.
        using (var other = await new TalosOAuthClient(Client, FirstMac, null).DownloadAsync(accessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        var (replayStatus, replay) = await talos.TokenAsync(deviceCode);
        Assert.Equal(400, replayStatus);
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());

        var metrics = await Client.GetStringAsync("/metrics");
        Assert.Contains("ktizo_config_unauthenticated_total 2", metrics, StringComparison.Ordinal);
        Assert.Contains("ktizo_device_tokens_issued_total 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_SingleClaimantGetsTokenWithoutConfirmation_ASecondFlowWaits()
    {
        var talos = new TalosOAuthClient(Client, FirstMac, Uuid);
        var (_, device) = await talos.DeviceCodeAsync();
        var (status, token) = await talos.TokenAsync(device.GetProperty("device_code").GetString()!);
        Assert.Equal(200, status);
        using (var served = await talos.DownloadAsync(token.GetProperty("access_token").GetString()))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var impostor = new TalosOAuthClient(Client, FirstMac, null);
        var (_, second) = await impostor.DeviceCodeAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        var (waitStatus, wait) = await impostor.TokenAsync(second.GetProperty("device_code").GetString()!);
        Assert.Equal(400, waitStatus);
        Assert.Equal("authorization_pending", wait.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Poll_WithAnotherMacsDeviceCode_TooFast_OrForARejectedDevice_GetsTheRfcError()
    {
        var talos = new TalosOAuthClient(Client, ConfirmMac, Uuid);
        var (_, device) = await talos.DeviceCodeAsync();
        var code = device.GetProperty("device_code").GetString()!;

        Assert.Equal("invalid_grant", (await new TalosOAuthClient(Client, FirstMac, Uuid).TokenAsync(code)).Body.GetProperty("error").GetString());
        Assert.Equal("authorization_pending", (await talos.TokenAsync(code)).Body.GetProperty("error").GetString());
        Assert.Equal("slow_down", (await talos.TokenAsync(code)).Body.GetProperty("error").GetString());

        var (rejectedStatus, rejected) = await new TalosOAuthClient(Client, RejectedMac, null).DeviceCodeAsync();
        Assert.Equal(400, rejectedStatus);
        Assert.Equal("access_denied", rejected.GetProperty("error").GetString());
    }

    [Fact]
    public async Task BootScript_WithDeviceAuthOn_TurnsOnTalosDeviceFlowWithTheGatekeepersEndpoints()
    {
        var script = await Client.GetStringAsync("/boot.ipxe");
        var kernel = script.Split('\n').Single(l => l.StartsWith("kernel ", StringComparison.Ordinal)).Split(' ');
        var root = Client.BaseAddress!.ToString().TrimEnd('/');

        Assert.Contains("talos.config.oauth.client_id=ktizo", kernel);
        Assert.Equal(2, kernel.Count(a => a.StartsWith("talos.config.oauth.extra_variable=", StringComparison.Ordinal)));
        Assert.Contains("talos.config.oauth.extra_variable=mac", kernel);
        Assert.Contains("talos.config.oauth.extra_variable=uuid", kernel);
        Assert.Contains($"talos.config.oauth.device_auth_url={root}/device/code", kernel);
        Assert.Contains($"talos.config.oauth.token_url={root}/token", kernel);

        // Without any device in a deviceAuth mode the script is as before.
        var off = _gatekeeper.Commit([("inventory/devices/cp-03.yaml", MiniRenderer.DeviceFile(OffMac, "cp-03", "10.0.5.13/24"))]);
        await _gatekeeper.Host.SyncAsync();
        await _gatekeeper.Host.WaitForCommitAsync(off);
        Assert.DoesNotContain("talos.config.oauth", await Client.GetStringAsync("/boot.ipxe"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_DownloadNeedsNoToken()
    {
        using var served = await new TalosOAuthClient(Client, OffMac, null).DownloadAsync(null);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=ktizo&device_code=x&mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_request")]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=ktizo&grant_type=password&mac=52%3A54%3A00%3A00%3A05%3A11", "unsupported_grant_type")]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=ktizo&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_request")]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=ktizo&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc", "invalid_request")]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=other&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc&mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_client")]
    [InlineData("/token", "application/x-www-form-urlencoded", "client_id=ktizo&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc&mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_grant")]
    [InlineData("/device/code", "application/json", "{\"client_id\":\"ktizo\"}", "invalid_request")]
    [InlineData("/device/code", "application/x-www-form-urlencoded", "client_id=ktizo", "invalid_request")]
    [InlineData("/device/code", "application/x-www-form-urlencoded", "mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_client")]
    [InlineData("/device/code", "application/x-www-form-urlencoded", "client_id=ktizo&client_id=ktizo&mac=52%3A54%3A00%3A00%3A05%3A11", "invalid_request")]
    [InlineData("/device/code", "application/x-www-form-urlencoded", "client_id=ktizo&mac=52%3A54%3A00%3A00%3A05%3A11&uuid=%FF", "invalid_request")]
    public async Task BadInput_GetsTheRfcErrorWith400_NeverA5xx(string path, string contentType, string body, string error)
    {
        using var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task BadInput_AnOversizedBody_IsRefusedUnread()
    {
        var body = "client_id=ktizo&mac=52%3A54%3A00%3A00%3A05%3A11&pad=" + new string('a', 10_000);
        using var response = await Client.PostAsync("/device/code", new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("larger than 4096 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> ConfirmAsync(string userCode, string admin = GatekeeperHost.AdminToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device-auth/confirm") { Content = JsonContent.Create(new { user_code = userCode }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        return await Client.SendAsync(request);
    }
}
