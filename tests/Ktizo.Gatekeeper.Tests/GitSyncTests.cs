using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// The gatekeeper against real git and the real renderer: this repository's example inventory in a
/// bare remote that the test pushes to, the gatekeeper's own clone (Ktizo.Git's RepositoryMirror) in a
/// temporary data folder, a real Kestrel, a real SQLite file.
/// </summary>
public sealed class GitSyncTests(ITestOutputHelper output) : IDisposable
{
    // From the example inventory (inventory/devices/): cp-01 is approved, the laptop rejected.
    private const string Node1Mac = "52:54:00:00:05:11";
    private const string RejectedMac = "52:54:00:00:05:99";
    private const string Node2Mac = "52:54:00:00:05:23";
    private const string Worker03 = "mac: 52:54:00:00:05:23\nhostname: worker-03\nrole: worker\nip: 10.0.5.23/24\n";

    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-data");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task FirstContact_WhenMacIsUnknown_Returns403AndRecordsItPendingOnDisk()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);

        using var response = await host.GetConfigAsync("mac=52%3A54%3A00%3Aaa%3Abb%3Acc&uuid=4c4c4544-1234-abcd-8030-c2c04f4a4d32");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Device not approved. Current status: pending", await response.Content.ReadAsStringAsync());
        // Durable before the 403: visible to an independent connection, no flush involved.
        using (var db = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "ktizo.db")};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "SELECT uuid FROM devices WHERE mac = '52:54:00:aa:bb:cc';";
            Assert.Equal("4c4c4544-1234-abcd-8030-c2c04f4a4d32", command.ExecuteScalar());
        }

        var device = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/devices/52-54-00-AA-BB-CC");
        Assert.Equal("pending", device.GetProperty("status").GetString());
        Assert.Equal("52:54:00:aa:bb:cc", device.GetProperty("mac").GetString());
        Assert.Equal("127.0.0.1", device.GetProperty("last_address").GetString());
        Assert.Equal(1, device.GetProperty("request_count").GetInt64());
        Assert.True(device.TryGetProperty("first_seen", out _));
    }

    [Fact]
    public async Task PushAddingDevice_ThenSignedWebhook_Serves200WithHostnameAndAddress()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);
        using (var before = await host.GetConfigAsync($"mac={Node2Mac}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        var sha = _remote.Push("Approve worker-03 (#12)", ("inventory/devices/worker-03.yaml", Worker03));
        using (var hook = await SendWebhookAsync(host, PushPayload("refs/heads/main"), GatekeeperHost.WebhookSecret))
        {
            Assert.Equal(HttpStatusCode.Accepted, hook.StatusCode);
        }

        await host.WaitForCommitAsync(sha);

        using var response = await host.GetConfigAsync("mac=52%3A54%3A00%3A00%3A05%3A23&uuid=4c4c4544-0035-3010-8030-c2c04f4a4d32");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        var yaml = Encoding.UTF8.GetString(body);
        Assert.Contains("worker-03", yaml, StringComparison.Ordinal);
        Assert.Contains("10.0.5.23/24", yaml, StringComparison.Ordinal);
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"", response.Headers.ETag!.Tag);
        Assert.Equal(sha, response.Headers.GetValues("X-Ktizo-Commit").Single());

        await host.WaitForApprovalsAsync(sha);
        var device = await host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{Node2Mac}");
        Assert.Equal("approved", device.GetProperty("status").GetString());
        Assert.Equal("worker-03", device.GetProperty("hostname").GetString());
        Assert.Equal(sha, device.GetProperty("approval").GetProperty("commit").GetString());
        Assert.Equal("Ada Approver", device.GetProperty("approval").GetProperty("author").GetString());
        Assert.Equal(1, device.GetProperty("download_count").GetInt64());
        Assert.Equal("4c4c4544-0035-3010-8030-c2c04f4a4d32", device.GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task BadCommit_KeepsPreviousConfigLive_AndShowsInReadyzMetricsAndLog()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);

        var bad = _remote.Push(
            "Break cp-01", ("inventory/devices/cp-01.yaml", "mac: 52:54:00:00:05:11\nhostname: cp_01!\nrole: controlplane\nip: 10.0.5.11/24\n"));
        var readiness = await host.SyncAsync();

        Assert.True(readiness.GetProperty("ready").GetBoolean());
        Assert.Equal(good, readiness.GetProperty("commit").GetString());
        Assert.Equal(bad, readiness.GetProperty("remote_head").GetString());
        var failed = readiness.GetProperty("failed_commit");
        Assert.Equal(bad, failed.GetProperty("commit").GetString());
        Assert.Contains(failed.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith("inventory/devices/cp-01.yaml:2:", StringComparison.Ordinal));

        using var response = await host.GetConfigAsync($"mac={Node1Mac}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(good, response.Headers.GetValues("X-Ktizo-Commit").Single());
        Assert.DoesNotContain("cp_01!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("ktizo_render_failing 1", metrics, StringComparison.Ordinal);
        Assert.Contains("ktizo_sync_total{result=\"render_failed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"ktizo_served_commit_info{{commit=\"{good}\"}} 1", metrics, StringComparison.Ordinal);

        // Fixing the file clears the failure.
        var fixedSha = _remote.Push("Fix cp-01", ("inventory/devices/cp-01.yaml", "mac: 52:54:00:00:05:11\nhostname: cp-01\nrole: controlplane\nip: 10.0.5.11/24\n"));
        readiness = await host.SyncAsync();
        Assert.Equal(fixedSha, readiness.GetProperty("commit").GetString());
        Assert.False(readiness.TryGetProperty("failed_commit", out _));
    }

    [Fact]
    public async Task Restart_WhenRemoteIsDeleted_ServesLastGoodCommitFromLocalClone()
    {
        var good = PushBase();
        await using (var first = await StartAsync())
        {
            await first.WaitForCommitAsync(good);
            using var seen = await first.GetConfigAsync($"mac={Node1Mac}");
            Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        }

        _remote.DeleteRemote();
        await using var second = await StartAsync();

        // Served from the clone straight away: no successful fetch is needed, none is possible.
        using var response = await second.GetConfigAsync($"mac={Node1Mac}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(good, response.Headers.GetValues("X-Ktizo-Commit").Single());
        var readiness = await second.SyncAsync();
        Assert.True(readiness.GetProperty("ready").GetBoolean());
        Assert.Equal("local-clone", readiness.GetProperty("served_from").GetString());
        Assert.True(readiness.GetProperty("consecutive_fetch_failures").GetInt32() >= 1);
        Assert.False(string.IsNullOrEmpty(readiness.GetProperty("last_fetch_error").GetString()));
        // And the store kept what the first run saw: one download before the restart, one after.
        var device = await second.Client.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{Node1Mac}");
        Assert.Equal(2, device.GetProperty("download_count").GetInt64());
    }

    [Fact]
    public async Task Download_WhenDeviceFileIsRejected_Returns403Rejected()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);

        using var response = await host.GetConfigAsync("mac=52-54-00-00-05-99");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Device not approved. Current status: rejected", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("no signature", null)]
    [InlineData("wrong secret", "another-secret-0123456789")]
    [InlineData("garbage", "garbage")]
    public async Task Webhook_WhenSignatureIsMissingOrWrong_Returns401AndChangesNothing(string why, string? secret)
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);
        var attemptBefore = (await host.ReadinessAsync()).GetProperty("last_fetch_attempt").GetString();
        _remote.Push("Approve worker-03", ("inventory/devices/worker-03.yaml", Worker03));

        var payload = PushPayload("refs/heads/main");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", "push");
        if (secret == "garbage")
        {
            request.Headers.Add("X-Hub-Signature-256", "sha256=zz");
        }
        else if (secret is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", Sign(payload, secret));
        }

        using var response = await host.Client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        await Task.Delay(300);
        var after = await host.ReadinessAsync();
        Assert.Equal(good, after.GetProperty("commit").GetString());
        Assert.Equal(attemptBefore, after.GetProperty("last_fetch_attempt").GetString());
        using var config = await host.GetConfigAsync($"mac={Node2Mac}");
        Assert.Equal(HttpStatusCode.Forbidden, config.StatusCode);
    }

    [Fact]
    public async Task Webhook_WhenPushIsToAnotherBranch_IsAcceptedButDoesNotSync()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);
        var attemptBefore = (await host.ReadinessAsync()).GetProperty("last_fetch_attempt").GetString();

        using var response = await SendWebhookAsync(host, PushPayload("refs/heads/feature"), GatekeeperHost.WebhookSecret);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("ignored", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(attemptBefore, (await host.ReadinessAsync()).GetProperty("last_fetch_attempt").GetString());
    }

    [Theory]
    [InlineData("mac=52%3A54%3A00%3A00%3A05%3A11&uuid=4c4c4544-0035-3010-8030-c2c04f4a4d32")] // Talos: sorted, ':' encoded
    [InlineData("mac=52-54-00-00-05-11&uuid=4c4c4544-0035-3010-8030-c2c04f4a4d32")] // iPXE ${mac:hexhyp}
    [InlineData("uuid=x&mac=525400000511")]
    [InlineData("mac=52:54:00:00:05:11")]
    [InlineData("MAC=52%3a54%3a00%3a00%3a05%3a11")]
    public async Task Download_InEveryNotationMachinesSend_ResolvesTheSameDevice(string query)
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);

        using var response = await host.GetConfigAsync(query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("cp-01", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostDownload_WithJsonMac_ServesTheSameBytesAsGet()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);

        using var post = await host.Client.PostAsJsonAsync("/api/v1/config/download", new { mac_address = "52-54-00-00-05-11" });
        using var get = await host.GetConfigAsync($"mac={Node1Mac}");

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(await get.Content.ReadAsByteArrayAsync(), await post.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Devices_ListJoinsGitAndObservations()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);
        using (await host.Client.PostAsJsonAsync("/api/v1/devices/register", new { mac_address = "AA:BB:CC:DD:EE:FF", uuid = "u-9" }))
        {
        }

        var list = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/devices");

        Assert.Equal(good, list.GetProperty("commit").GetString());
        var statuses = list.GetProperty("devices").EnumerateArray()
            .ToDictionary(d => d.GetProperty("mac").GetString()!, d => d.GetProperty("status").GetString());
        Assert.Equal("approved", statuses[Node1Mac]);
        Assert.Equal("rejected", statuses[RejectedMac]);
        Assert.Equal("pending", statuses["aa:bb:cc:dd:ee:ff"]);
    }

    [Fact]
    public async Task Devices_EachEntryOfTheList_IsWhatTheDeviceItselfAnswers_AndRegisterToo()
    {
        var good = PushBase();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(good);
        await host.WaitForApprovalsAsync(good);
        using (var download = await host.GetConfigAsync($"mac={Node1Mac}&uuid=u-1"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        string registered;
        using (var register = await host.Client.PostAsJsonAsync("/api/v1/devices/register", new { mac_address = "AA:BB:CC:DD:EE:FF", uuid = "u-9" }))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            registered = (await register.Content.ReadFromJsonAsync<JsonElement>()).GetRawText();
        }

        var list = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/devices");
        var entries = list.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("mac").GetString()!, d => d.GetRawText());

        foreach (var mac in new[] { Node1Mac, RejectedMac, "aa:bb:cc:dd:ee:ff" })
        {
            var single = await host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{mac}");
            Assert.Equal(entries[mac], single.GetRawText());
        }

        Assert.Equal(entries["aa:bb:cc:dd:ee:ff"], registered);
        // The approved one carries what both sides join: its file from git, the approving commit, the download from the store.
        using var approved = JsonDocument.Parse(entries[Node1Mac]);
        Assert.Equal(good, approved.RootElement.GetProperty("approval").GetProperty("commit").GetString());
        Assert.Equal(1, approved.RootElement.GetProperty("download_count").GetInt64());
        Assert.False(approved.RootElement.TryGetProperty("rejection", out _));
    }

    private string PushBase() => _remote.PushExample();

    private Task<GatekeeperHost> StartAsync() => GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path);

    private static string PushPayload(string gitRef) =>
        JsonSerializer.Serialize(new { @ref = gitRef, after = "0000000000000000000000000000000000000000", repository = new { full_name = "o/r" } });

    internal static string Sign(string payload, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));

    private static Task<HttpResponseMessage> SendWebhookAsync(GatekeeperHost host, string payload, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/github")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-Hub-Signature-256", Sign(payload, secret));
        return host.Client.SendAsync(request);
    }
}
