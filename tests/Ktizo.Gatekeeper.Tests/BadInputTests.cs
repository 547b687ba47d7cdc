using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ktizo.Core;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// Every malformed, hostile or merely unusual request tried against the gatekeeper, with the answer it
/// must get: a clear 4xx, never a 500, and nothing recorded that should not be.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    private const string Pending = "52:54:00:ab:cd:ef";
    private const string Approved = "52:54:00:00:05:11";
    private const string Rejected = "52:54:00:00:05:99";

    /// <summary>(what, method, path and query, content type, body, expected status).</summary>
    public static readonly TheoryData<string, string, string, string?, string?, int> Cases = new()
    {
        // GET config: the MAC in every notation, and every way to get it wrong
        { "Talos re-encoded colons", "GET", "/api/v1/config/download?mac=52%3A54%3A00%3Aab%3Acd%3Aef&uuid=u", null, null, 403 },
        { "iPXE hyphens", "GET", "/api/v1/config/download?mac=52-54-00-AB-cd-EF", null, null, 403 },
        { "trailing slash (routed, not the fast path)", "GET", "/api/v1/config/download/?mac=52:54:00:00:05:11", null, null, 200 },
        { "path in upper case", "GET", "/API/v1/Config/Download?mac=52:54:00:00:05:11", null, null, 200 },
        { "bare hex", "GET", "/api/v1/config/download?mac=525400abcdef", null, null, 403 },
        { "upper case", "GET", "/api/v1/config/download?mac=52:54:00:AB:CD:EF", null, null, 403 },
        { "approved", "GET", "/api/v1/config/download?mac=52:54:00:00:05:11", null, null, 200 },
        { "rejected", "GET", "/api/v1/config/download?mac=52-54-00-00-05-99", null, null, 403 },
        { "no query", "GET", "/api/v1/config/download", null, null, 400 },
        { "empty mac", "GET", "/api/v1/config/download?mac=", null, null, 400 },
        { "uuid only", "GET", "/api/v1/config/download?uuid=4c4c4544", null, null, 400 },
        { "not hex", "GET", "/api/v1/config/download?mac=zz:zz:zz:zz:zz:zz", null, null, 400 },
        { "five octets", "GET", "/api/v1/config/download?mac=52:54:00:12:34", null, null, 400 },
        { "seven octets", "GET", "/api/v1/config/download?mac=52:54:00:12:34:56:78", null, null, 400 },
        { "mixed separators", "GET", "/api/v1/config/download?mac=52:54-00:12:34:56", null, null, 400 },
        { "dots", "GET", "/api/v1/config/download?mac=5254.0012.3456", null, null, 400 },
        { "path traversal", "GET", "/api/v1/config/download?mac=..%2F..%2F..%2Fetc%2Fpasswd", null, null, 400 },
        { "trailing NUL", "GET", "/api/v1/config/download?mac=52%3A54%3A00%3A12%3A34%3A56%00", null, null, 400 },
        { "bad percent escape", "GET", "/api/v1/config/download?mac=%ZZ%3A54%3A00%3A12%3A34%3A56", null, null, 400 },
        { "very long", "GET", "/api/v1/config/download?mac=" + new string('a', 4000), null, null, 400 },
        { "script", "GET", "/api/v1/config/download?mac=%3Cscript%3Ealert(1)%3C%2Fscript%3E", null, null, 400 },
        { "wrong method", "PUT", "/api/v1/config/download?mac=52:54:00:12:34:56", null, null, 405 },

        // POST config
        { "post json", "POST", "/api/v1/config/download", "application/json", "{\"mac_address\":\"52-54-00-ab-cd-ef\"}", 403 },
        { "post json charset", "POST", "/api/v1/config/download", "application/json; charset=utf-8", "{\"mac_address\":\"52:54:00:00:05:11\"}", 200 },
        { "post text", "POST", "/api/v1/config/download", "text/plain", "{\"mac_address\":\"52:54:00:12:34:56\"}", 415 },
        { "post form", "POST", "/api/v1/config/download", "application/x-www-form-urlencoded", "mac_address=52:54:00:12:34:56", 415 },
        { "post no content type", "POST", "/api/v1/config/download", null, "{\"mac_address\":\"52:54:00:12:34:56\"}", 415 },
        { "post broken json", "POST", "/api/v1/config/download", "application/json", "{\"mac_address\":", 400 },
        { "post array", "POST", "/api/v1/config/download", "application/json", "[]", 400 },
        { "post null", "POST", "/api/v1/config/download", "application/json", "null", 400 },
        { "post empty body", "POST", "/api/v1/config/download", "application/json", "", 400 },
        { "post number mac", "POST", "/api/v1/config/download", "application/json", "{\"mac_address\":5}", 400 },
        { "post no mac", "POST", "/api/v1/config/download", "application/json", "{}", 400 },
        { "post malformed mac", "POST", "/api/v1/config/download", "application/json", "{\"mac_address\":\"../../etc/passwd\"}", 400 },
        { "post too large", "POST", "/api/v1/config/download", "application/json", "{\"mac_address\":\"" + new string('a', 20_000) + "\"}", 413 },

        // register
        { "register bad json", "POST", "/api/v1/devices/register", "application/json", "{", 400 },
        { "register text", "POST", "/api/v1/devices/register", "text/plain", "52:54:00:12:34:56", 415 },
        { "register too large", "POST", "/api/v1/devices/register", "application/json", new string(' ', 17_000) + "{}", 413 },
        { "register bad mac", "POST", "/api/v1/devices/register", "application/json", "{\"mac_address\":\"nope\"}", 400 },
        // a uuid that is not one is dropped unstored (HostileRequestTests reads the store); the answer is as without it
        { "register long uuid", "POST", "/api/v1/devices/register", "application/json", "{\"mac_address\":\"52:54:00:ab:cd:ef\",\"uuid\":\"" + new string('u', 100) + "\"}", 200 },
        { "register injected uuid", "POST", "/api/v1/devices/register", "application/json", "{\"mac_address\":\"52:54:00:ab:cd:ef\",\"uuid\":\"\\r\\nX-Injected: 1\"}", 200 },
        { "injected uuid", "GET", "/api/v1/config/download?mac=52:54:00:00:05:11&uuid=%0D%0AX-Injected:%201", null, null, 200 },
        { "long uuid", "GET", "/api/v1/config/download?mac=52:54:00:00:05:11&uuid=" + new string('u', 100), null, null, 200 },
        { "invented method", "BREW", "/api/v1/devices", null, null, 405 },
        { "HEAD on a GET route", "HEAD", "/api/v1/config/download?mac=52:54:00:00:05:11", null, null, 200 },
        { "HEAD on the boot script", "HEAD", "/boot.ipxe", null, null, 200 },

        // device reads
        { "device by mac", "GET", "/api/v1/devices/52-54-00-ab-cd-ef", null, null, 200 },
        { "device never seen", "GET", "/api/v1/devices/aa:bb:cc:dd:ee:ff", null, null, 404 },
        { "device not a mac", "GET", "/api/v1/devices/not-a-mac", null, null, 400 },
        { "device encoded traversal", "GET", "/api/v1/devices/..%2F..%2Fetc%2Fpasswd", null, null, 400 },
        { "device dot segments", "GET", "/api/v1/devices/52:54:00:12:34:56/../../../etc/passwd", null, null, 404 },

        // admin and webhook
        { "sync without token", "POST", "/api/v1/sync", null, null, 401 },
        { "webhook unsigned", "POST", "/api/v1/webhooks/github", "application/json", "{\"ref\":\"refs/heads/main\"}", 401 },

        // elsewhere
        { "unknown route", "GET", "/nope", null, null, 404 },
        { "unknown api route", "GET", "/api/v1/nope", null, null, 404 },
        { "api root", "GET", "/api/v1", null, null, 404 },
    };

    [Fact]
    public async Task EveryCase_GetsItsExpectedAnswer_NeverA500_AndRecordsOnlyRealMacs()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, ExampleFiles());
        var failures = new List<string>();

        foreach (var row in Cases)
        {
            var (what, method, path, contentType, body, expected) =
                ((string)row[0], (string)row[1], (string)row[2], (string?)row[3], (string?)row[4], (int)row[5]);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (contentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                }
            }

            using var response = await gatekeeper.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{what}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {text[..Math.Min(text.Length, 160)]}");
            if ((int)response.StatusCode != expected)
            {
                failures.Add($"{what}: expected {expected}, got {(int)response.StatusCode}");
            }

            if (expected == 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{what}: a 400 must be problem details, got {response.Content.Headers.ContentType}");
            }
        }

        Assert.Empty(failures);
        // Only the well-formed MACs that asked were recorded; no bad input left a row.
        var known = gatekeeper.Host.Get<DeviceStore>().KnownMacs.Select(m => m.ToString()).Order().ToList();
        Assert.Equal([Approved, Rejected, Pending], known);
    }

    [Fact]
    public async Task BadMac_ProblemDetails_NameTheProblem()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, ExampleFiles());

        using var malformed = await gatekeeper.Client.GetAsync("/api/v1/config/download?mac=12:34");
        var problem = await malformed.Content.ReadAsStringAsync();

        Assert.Contains("Malformed MAC address", problem, StringComparison.Ordinal);
        Assert.Contains("'12:34' is not a MAC address", problem, StringComparison.Ordinal);
        using var none = await gatekeeper.Client.GetAsync("/api/v1/config/download");
        Assert.Contains("Missing MAC address", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flood_FromOneAddress_Gets429AfterTheLimit_ButProbesStayOpen()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, ExampleFiles(), ["--rate-limit-permits", "5", "--rate-limit-window", "1h"]);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Pending}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromHours(1), response.Headers.RetryAfter!.Delta);
            }
        }

        // WaitForCommitAsync used /readyz, which is not limited: all 5 permits are left for the API.
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Forbidden, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        using var health = await gatekeeper.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await gatekeeper.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Flood_TheRefusalIsAProblemNamingTheLimit_AndEveryRouteIsLimited()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, ExampleFiles(), ["--rate-limit-permits", "2", "--rate-limit-window", "90s"]);

        using var first = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Approved}");
        using var second = await gatekeeper.Client.GetAsync("/api/v1/devices");
        using var refused = await gatekeeper.Client.PostAsync($"/api/v1/config/download?mac={Approved}", null);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(90), refused.Headers.RetryAfter!.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("More than 2 requests from this address within 00:01:30.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flood_FromOneAddress_LeavesAnotherAddressItsOwnPermits()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, ExampleFiles(), ["--rate-limit-permits", "1", "--rate-limit-window", "1h"]);
        // Another loopback source address (Linux routes all of 127/8 to lo): another machine to the limiter.
        using var other = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = gatekeeper.Client.BaseAddress };

        using var first = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Approved}");
        using var refused = await gatekeeper.Client.GetAsync($"/api/v1/config/download?mac={Approved}");
        using var fromOther = await other.GetAsync($"/api/v1/config/download?mac={Approved}");
        using var otherRefused = await other.GetAsync($"/api/v1/config/download?mac={Approved}");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromOther.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, otherRefused.StatusCode);
    }

    internal static (string, string)[] ExampleFiles() =>
    [
        ("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(Approved, "cp-01", "10.0.5.11/24", "controlplane")),
        ("inventory/devices/laptop.yaml", MiniRenderer.RejectedFile(Rejected)),
    ];

    [Fact]
    public void Cases_CoverEveryAnswerTheContractNames()
    {
        var statuses = Cases.Select(c => (int)c[5]).ToHashSet();
        Assert.Superset(new HashSet<int> { 200, 400, 401, 403, 404, 405, 413, 415 }, statuses);
        Assert.True(MacAddress.TryParse(Pending, out _));
    }
}
