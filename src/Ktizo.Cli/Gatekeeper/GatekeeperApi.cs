using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ktizo.Core;

namespace Ktizo.Cli.Gatekeeper;

/// <summary>
/// How a command reaches a running gatekeeper's API: its URL from <c>--gatekeeper</c> or <c>KTIZO_GATEKEEPERURL</c>, and a
/// bearer token from the environment or a file an environment variable names, never a flag (which would sit in shell
/// history and the process list). <c>ktizo confirm</c> sends the admin token; the reading commands the viewer token, else the admin one.
/// </summary>
public sealed class GatekeeperApi : IDisposable
{
    public const string GatekeeperVariable = "KTIZO_GATEKEEPERURL";
    public const string DefaultGatekeeper = "http://127.0.0.1:8000";
    public const string AdminTokenVariable = "KTIZO_ADMINTOKEN";
    public const string ViewerTokenVariable = "KTIZO_VIEWERTOKEN";

    /// <summary>What reading the device API takes: the viewer token, else the admin token.</summary>
    public static readonly string[] ReadingTokens = [ViewerTokenVariable, AdminTokenVariable];

    private readonly HttpClient _http;

    public GatekeeperApi(Uri baseUrl, string token)
    {
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseUrl { get; }

    public static Option<string?> Option() => new("--gatekeeper")
    {
        Description = $"The gatekeeper's URL (default: {GatekeeperVariable}, else {DefaultGatekeeper})",
    };

    /// <summary>The URL from the flag, else the variable, else <paramref name="fallback"/>; an error when it is not http(s).</summary>
    public static Uri? Url(CliConsole console, string? flag, string? fallback = DefaultGatekeeper)
    {
        var url = flag ?? (console.GetEnvironment(GatekeeperVariable) is { Length: > 0 } set ? set : fallback);
        if (url is null)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new KtizoException($"--gatekeeper '{url}' must be an http:// or https:// URL");
        }

        return baseUrl;
    }

    /// <summary>The first token set, each from <c>NAME</c> or from the file <c>NAMEFILE</c> names, in the order given.</summary>
    public static string Token(CliConsole console, params string[] variables)
    {
        foreach (var variable in variables)
        {
            if (console.GetEnvironment(variable) is { Length: > 0 } token)
            {
                return token.Trim();
            }

            if (console.GetEnvironment(variable + "FILE") is { Length: > 0 } file)
            {
                try
                {
                    return File.ReadAllText(file).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new KtizoException($"{variable}FILE names '{file}', which cannot be read: {e.Message}");
                }
            }
        }

        throw new KtizoException($"no token: set {string.Join(" or ", variables.Select(v => $"{v} ({v}FILE for a file holding it)"))}");
    }

    /// <summary>Sends <paramref name="request"/>; an unreachable gatekeeper is a one-line error.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KtizoException($"cannot reach the gatekeeper at {BaseUrl}: {e.Message}");
        }
    }

    /// <summary>GET a JSON answer; null on 404; any other failure is a one-line error naming the status.</summary>
    public async Task<JsonElement?> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => JsonDocument.Parse(body).RootElement.Clone(),
            HttpStatusCode.NotFound => null,
            HttpStatusCode.Unauthorized => throw new KtizoException($"the gatekeeper refused the token (check {string.Join(" / ", ReadingTokens)})"),
            _ => throw new KtizoException($"the gatekeeper answered {(int)response.StatusCode} {response.ReasonPhrase} to GET {path}"),
        };
    }

    /// <summary>Every device of <c>GET /api/v1/devices</c>, page after page.</summary>
    public async Task<IReadOnlyList<JsonElement>> DevicesAsync(CancellationToken cancellationToken)
    {
        var devices = new List<JsonElement>();
        string? next = "/api/v1/devices?limit=1000";
        while (next is not null)
        {
            var page = await GetJsonAsync(next, cancellationToken).ConfigureAwait(false)
                ?? throw new KtizoException($"the gatekeeper at {BaseUrl} has no device API (404)");
            devices.AddRange(page.GetProperty("devices").EnumerateArray());
            next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
        }

        return devices;
    }

    public void Dispose() => _http.Dispose();
}
