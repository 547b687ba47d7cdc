using System.Security.Cryptography;
using System.Text;

namespace Ktizo.BootChain.Tests.Harness;

/// <summary>GitHub's push webhook, as GitHub sends it after a merge to the tracked branch.</summary>
public static class Webhook
{
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static async Task PushAsync(HttpClient http, string secret, string branch, string commit)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"ref":"refs/heads/{{branch}}","after":"{{commit}}"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", Signature(secret, body));
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the push webhook was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
