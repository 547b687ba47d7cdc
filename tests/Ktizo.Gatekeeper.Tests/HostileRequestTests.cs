using System.Net;
using System.Text;
using Ktizo.Gatekeeper.Http;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// The attacks of issue 15 (findings 3 and 4 and the smaller ones) performed against a real Kestrel on
/// 127.0.0.1, each with the bounded outcome it must get.
/// </summary>
public sealed class HostileRequestTests(ITestOutputHelper output)
{
    private const string Approved = "52:54:00:00:05:11";
    private const string Pending = "52:54:00:ab:cd:ef";

    [Fact]
    public async Task Webhook_32ConcurrentUnsigned24MBPosts_AreAllRefused401BeforeTheirBodiesAreSent()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            await using var raw = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
            // The head and 64 KiB of a 24 MB body; the rest is never sent, so an answer proves nothing waited for it.
            await raw.SendAsync($"POST /api/v1/webhooks/github HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-GitHub-Event: push\nContent-Length: {24 * 1024 * 1024}", new byte[64 * 1024]);
            return (await raw.ReadResponseAsync(TimeSpan.FromSeconds(10))).Status;
        }));

        Assert.All(answers, status => Assert.Equal(401, status));
    }

    [Fact]
    public async Task Webhook_LargerThanTheCap_Is413BeforeTheBodyIsSent_ChunkedPastTheCapToo()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        const string head = "POST /api/v1/webhooks/github HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-GitHub-Event: push\nX-Hub-Signature-256: sha256=";
        var signature = new string('a', 64);

        await using (var declared = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!))
        {
            await declared.SendAsync($"{head}{signature}\nContent-Length: {GitHubWebhook.MaxBodyBytes + 1}");
            Assert.Equal(413, (await declared.ReadResponseAsync(TimeSpan.FromSeconds(10))).Status);
        }

        await using var chunked = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
        await chunked.SendAsync($"{head}{signature}\nTransfer-Encoding: chunked");
        var answer = chunked.ReadResponseAsync(TimeSpan.FromSeconds(60));
        var chunk = Encoding.ASCII.GetBytes("100000\r\n").Concat(new byte[0x100000]).Concat("\r\n"u8.ToArray()).ToArray();
        try
        {
            // 1 MiB chunks until the server answers (it stops reading at the cap) or 30 MiB went out.
            for (var i = 0; i < 30 && !answer.IsCompleted; i++)
            {
                await chunked.SendAsync(chunk);
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering.
        }

        Assert.Equal(413, (await answer).Status);
    }

    [Fact]
    public async Task Webhook_MoreConcurrentReadsThanTheLimit_Get503WithRetryAfterAtOnce_AndTheSlotsComeBack()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var head = $"POST /api/v1/webhooks/github HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-GitHub-Event: push\nX-Hub-Signature-256: sha256={new string('b', 64)}\nContent-Length: 1000";
        // Each attempt holds every slot with a read that trickles far too slowly to finish, then probes. A holder
        // that reaches the handler late on a loaded machine may meet the 10 s read deadline before the probe runs,
        // so a few fresh attempts are allowed; with the limit gone, no attempt ever sees a 503.
        (int Status, string Text) refused = default;
        for (var attempt = 0; attempt < 3 && refused.Status != 503; attempt++)
        {
            refused = await HoldEverySlotAndProbeAsync(gatekeeper, head);
        }

        Assert.Equal(503, refused.Status);
        Assert.Contains("Retry-After: 1", refused.Text, StringComparison.OrdinalIgnoreCase);

        // The aborted reads gave their slots back: the next delivery is judged on its signature again.
        await Task.Delay(500);
        using var after = await PostWebhookAsync(gatekeeper, "{}", "sha256=" + new string('c', 64), delivery: null);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private static async Task<(int Status, string Text)> HoldEverySlotAndProbeAsync(FakeGatekeeper gatekeeper, string head)
    {
        var holders = new List<RawHttp>();
        using var stop = new CancellationTokenSource();
        var trickles = new List<Task>();
        try
        {
            for (var i = 0; i < GitHubWebhook.MaxConcurrentReads; i++)
            {
                var raw = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
                holders.Add(raw);
                await raw.SendAsync(head.Replace("1000", "100000", StringComparison.Ordinal), "{\"ref\""u8.ToArray());
                // Well above Kestrel's minimum data rate, far too slow to finish: the read holds its slot.
                trickles.Add(Task.Run(async () =>
                {
                    try
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            await raw.SendAsync(new byte[100]);
                            await Task.Delay(50, stop.Token);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                }));
            }

            // The holders reach the handler on their own time; within a few seconds one more is refused.
            var deadline = DateTime.UtcNow.AddSeconds(6);
            (int Status, string Text) answer;
            do
            {
                await using var probe = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
                await probe.SendAsync(head.Replace("Content-Length: 1000", "Content-Length: 2", StringComparison.Ordinal), "{}"u8.ToArray());
                answer = await probe.ReadResponseAsync(TimeSpan.FromSeconds(5));
            }
            while (answer.Status != 503 && DateTime.UtcNow < deadline);

            return answer;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(trickles);
            foreach (var raw in holders)
            {
                await raw.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Webhook_ReplayOfADelivery_IsANoOp_EvenUnderAnotherDeliveryId()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var payload = "{\"ref\":\"refs/heads/main\",\"after\":\"" + new string('1', 40) + "\"}";
        var signature = GitSyncTests.Sign(payload, GatekeeperHost.WebhookSecret);

        using var first = await PostWebhookAsync(gatekeeper, payload, signature, "delivery-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await WaitForFetchesAsync(gatekeeper, 2);
        var fetches = gatekeeper.Source.Fetches;

        using var replay = await PostWebhookAsync(gatekeeper, payload, signature, "delivery-1");
        using var renamed = await PostWebhookAsync(gatekeeper, payload, signature, "delivery-2");
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("already handled", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(fetches, gatekeeper.Source.Fetches);

        var next = "{\"ref\":\"refs/heads/main\",\"after\":\"" + new string('2', 40) + "\"}";
        using var another = await PostWebhookAsync(gatekeeper, next, GitSyncTests.Sign(next, GatekeeperHost.WebhookSecret), "delivery-3");
        Assert.Equal(HttpStatusCode.Accepted, another.StatusCode);
    }

    [Fact]
    public async Task Webhook_SignedPushLargerThanWhatIsKept_IsJudgedByTheRefAtItsStart()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var filler = new string('x', 3 * 1024 * 1024);
        var main = "{\"ref\":\"refs/heads/main\",\"commits\":[{\"message\":\"" + filler + "\"}]}";
        var other = "{\"ref\":\"refs/heads/feature\",\"commits\":[{\"message\":\"" + filler + "\"}]}";

        using var toMain = await PostWebhookAsync(gatekeeper, main, GitSyncTests.Sign(main, GatekeeperHost.WebhookSecret), "big-1");
        using var toOther = await PostWebhookAsync(gatekeeper, other, GitSyncTests.Sign(other, GatekeeperHost.WebhookSecret), "big-2");

        Assert.Equal(HttpStatusCode.Accepted, toMain.StatusCode);
        Assert.Contains("sync started", await toMain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, toOther.StatusCode);
        Assert.Contains("ignored: push to 'refs/heads/feature'", await toOther.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_2000RequestsWithInventedMethodsAndPaths_StayWithinAFixedSize()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var before = await gatekeeper.Client.GetStringAsync("/metrics");
        var random = new Random(15);
        const string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (var i = 0; i < 2000; i++)
        {
            var method = new string(Enumerable.Range(0, 8).Select(_ => letters[random.Next(letters.Length)]).ToArray());
            var path = i % 2 == 0 ? $"/x{random.Next()}/{random.Next()}" : "/api/v1/devices";
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            using var response = await gatekeeper.Client.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method} {path}: {response.StatusCode}");
        }

        var after = await gatekeeper.Client.GetStringAsync("/metrics");
        var series = after.Split('\n').Count(l => l.StartsWith("http_request", StringComparison.Ordinal));
        output.WriteLine($"/metrics {before.Length} -> {after.Length} bytes, {series} http series");
        Assert.True(after.Length < before.Length + 16 * 1024, $"/metrics grew from {before.Length} to {after.Length} bytes");
        Assert.Contains("method=\"OTHER\"", after, StringComparison.Ordinal);
        Assert.True(series < 120, $"{series} http series");
    }

    /// <summary>Every GET route answers HEAD with GET's status and headers and no body.</summary>
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    [InlineData("/api/v1/config/download?mac=" + Approved)]
    [InlineData("/api/v1/config/download?mac=" + Pending)]
    [InlineData("/api/v1/devices")]
    [InlineData("/boot.ipxe")]
    [InlineData("/")]
    [InlineData("/ui/app.css")]
    [InlineData("/talos/vmlinuz")]
    public async Task Head_OnAGetRoute_AnswersLikeGetWithoutABody(string path)
    {
        await using var gatekeeper = await StartWithAssetsAsync();
        using var get = await gatekeeper.Client.GetAsync(path);
        await using var raw = await RawHttp.ConnectAsync(gatekeeper.Client.BaseAddress!);
        // As the client that made the GET: signed in as the viewer, for the routes that need it.
        var authorization = gatekeeper.Client.DefaultRequestHeaders.Authorization is { } auth ? $"Authorization: {auth}\n" : "";
        await raw.SendAsync($"HEAD {path} HTTP/1.1\nHost: 127.0.0.1\n{authorization}Connection: close");
        var (status, text) = await raw.ReadResponseAsync(TimeSpan.FromSeconds(10));

        output.WriteLine(text);
        Assert.NotEqual(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal((int)get.StatusCode, status);
        Assert.EndsWith("\r\n\r\n", text, StringComparison.Ordinal); // nothing after the head
        if (get.Content.Headers.ContentType is { } type)
        {
            Assert.Contains("Content-Type: " + type, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task BootScript_WithoutPublicBaseUrl_TakesTheListeningAddress_NotTheHostHeader()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        var listening = gatekeeper.Client.BaseAddress!;
        await using var raw = await RawHttp.ConnectAsync(listening);
        await raw.SendAsync("GET /boot.ipxe HTTP/1.1\nHost: evil.example:6666\nConnection: close");
        var (status, text) = await raw.ReadResponseAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(200, status);
        Assert.DoesNotContain("evil", text, StringComparison.Ordinal);
        Assert.Contains($"kernel http://127.0.0.1:{listening.Port}/talos/vmlinuz", text, StringComparison.Ordinal);

        await using var bad = await RawHttp.ConnectAsync(listening);
        await bad.SendAsync("GET /boot.ipxe HTTP/1.1\nHost: a b/${x}\nConnection: close");
        Assert.Equal(400, (await bad.ReadResponseAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Theory]
    [InlineData("%0D%0AX-Injected:%201")]
    [InlineData("not-a-uuid")]
    [InlineData("4c4c4544-0035-3010-8030-c2c04f4a4d3")]
    public async Task Uuid_ThatIsNotAUuid_IsDroppedAndCounted_AndTheAnswerIsUnchanged(string uuid)
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles());
        using var download = await gatekeeper.Host.GetConfigAsync($"mac={Approved}&uuid={uuid}");
        using var register = await gatekeeper.Client.PostAsync(
            "/api/v1/devices/register",
            new StringContent($"{{\"mac_address\":\"{Pending}\",\"uuid\":\"{Uri.UnescapeDataString(uuid).Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}\"}}", Encoding.UTF8, "application/json"));
        using var good = await gatekeeper.Host.GetConfigAsync("mac=52:54:00:00:05:99&uuid=4C4C4544-0035-3010-8030-C2C04F4A4D32");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        await gatekeeper.Host.Get<DeviceStore>().FlushAsync();
        var store = gatekeeper.Host.Get<DeviceStore>();
        Assert.Null((await store.GetAsync(Core.MacAddress.Parse(Approved)))!.Uuid);
        Assert.Null((await store.GetAsync(Core.MacAddress.Parse(Pending)))!.Uuid);
        Assert.Equal("4C4C4544-0035-3010-8030-C2C04F4A4D32", (await store.GetAsync(Core.MacAddress.Parse("52:54:00:00:05:99")))!.Uuid);
        var metrics = await gatekeeper.Client.GetStringAsync("/metrics");
        Assert.Contains("ktizo_uuid_dropped_total 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigLog_RepeatsOfOneAnswer_AreOneLine_AChangedAnswerIsANewLineWithTheSummary()
    {
        var log = new LogRecorder();
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles(), services: log.AddTo);
        for (var i = 0; i < 500; i++)
        {
            using var response = await gatekeeper.Host.GetConfigAsync($"mac={Pending}");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(1, log.Count(100));
        Assert.Equal(0, log.Count(104));

        var approved = gatekeeper.Commit([.. BadInputTests.ExampleFiles(), ("inventory/devices/new.yaml", MiniRenderer.DeviceFile(Pending, "new", "10.0.5.12/24", "worker"))]);
        await gatekeeper.Host.SyncAsync();
        await gatekeeper.Host.WaitForCommitAsync(approved);
        using var served = await gatekeeper.Host.GetConfigAsync($"mac={Pending}");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(2, log.Count(100));
        var summary = Assert.Single(log.Entries, e => e.Event.Id == 104);
        Assert.Contains("499 more times", summary.Message, StringComparison.Ordinal);
    }

    private async Task<FakeGatekeeper> StartWithAssetsAsync()
    {
        var assets = Directory.CreateTempSubdirectory("ktizo-assets").FullName;
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), new byte[4096]);
        return await FakeGatekeeper.StartAsync(output, BadInputTests.ExampleFiles(), ["--boot-assets-path", assets]);
    }

    private static async Task WaitForFetchesAsync(FakeGatekeeper gatekeeper, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gatekeeper.Source.Fetches < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
    }

    private static Task<HttpResponseMessage> PostWebhookAsync(FakeGatekeeper gatekeeper, string payload, string signature, string? delivery)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-Hub-Signature-256", signature);
        if (delivery is not null)
        {
            request.Headers.Add("X-GitHub-Delivery", delivery);
        }

        return gatekeeper.Client.SendAsync(request);
    }
}
