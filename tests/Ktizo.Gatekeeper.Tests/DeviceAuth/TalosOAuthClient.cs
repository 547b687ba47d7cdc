using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ktizo.Gatekeeper.Tests.DeviceAuth;

/// <summary>
/// Sends what Talos's config acquisition sends through golang.org/x/oauth2 (../shared/notes/talos-config-auth.md):
/// form bodies encoded as Go's <c>url.Values.Encode</c> does (keys sorted, query escaping), <c>Accept:
/// application/json</c> on the device request, the client id in the form there, and on token polls either as
/// HTTP Basic (<c>url.QueryEscape(id):</c>, x/oauth2's first try) or as a form field (its retry). Talos adds
/// each <c>talos.config.oauth.extra_variable</c> (here <c>mac</c>, <c>uuid</c>) to both requests.
/// </summary>
public sealed class TalosOAuthClient(HttpClient http, string mac, string? uuid, string clientId = "ktizo")
{
    public async Task<(int Status, JsonElement Body)> DeviceCodeAsync()
    {
        var form = Extra();
        form["client_id"] = clientId;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/device/code") { Content = Form(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await SendAsync(request);
    }

    public async Task<(int Status, JsonElement Body)> TokenAsync(string deviceCode, bool basicAuth = true)
    {
        var form = Extra();
        form["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code";
        form["device_code"] = deviceCode;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token");
        if (basicAuth)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":")));
        }
        else
        {
            form["client_id"] = clientId;
        }

        request.Content = Form(form);
        return await SendAsync(request);
    }

    /// <summary>What Talos sends for its config download once it has a token: <c>Bearer &lt;token&gt;</c>.</summary>
    public Task<HttpResponseMessage> DownloadAsync(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/config/download?mac=" + Uri.EscapeDataString(mac) + (uuid is null ? string.Empty : "&uuid=" + uuid));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request);
    }

    public static StringContent Form(SortedDictionary<string, string> fields)
    {
        var body = string.Join('&', fields.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        return new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
    }

    private SortedDictionary<string, string> Extra()
    {
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["mac"] = mac };
        if (uuid is not null)
        {
            form["uuid"] = uuid;
        }

        return form;
    }

    private async Task<(int, JsonElement)> SendAsync(HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
