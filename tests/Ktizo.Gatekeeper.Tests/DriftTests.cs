using System.Net;
using System.Text.Json;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// What each machine got against what git renders now (issue 20), with real git, the real renderer, a real secrets
/// bundle and Kestrel: a machine downloads, commits change (or do not change) its config, and its drift, its served
/// history and the redacted diff follow.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DriftTests(ITestOutputHelper output) : IDisposable
{
    private const string Mac = "52:54:00:00:05:21"; // worker-01
    private const string TuningPatch = "templates/patches/extra/tuning.yaml";
    private static readonly string Query = "mac=" + Uri.EscapeDataString(Mac);
    private static readonly string Device = "/api/v1/devices/" + Uri.EscapeDataString(Mac);

    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-data");
    private readonly TempFolder _secrets = new("ktizo-secrets");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
        _secrets.Dispose();
    }

    [Fact]
    public async Task Drift_ACommitChangesTheMachinesPatch_DriftedSinceThatCommitWithARedactedDiff_InSyncAfterItDownloadsAgain()
    {
        var first = _remote.PushExample();
        var (file, bundle) = WriteBundle();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file]);
        await host.WaitForCommitAsync(first);
        Assert.Equal("never_downloaded", (await DriftOfAsync(host)).GetProperty("state").GetString());

        var firstTag = await DownloadAsync(host);
        var inSync = await DriftOfAsync(host);
        Assert.Equal("in_sync", inSync.GetProperty("state").GetString());
        Assert.Equal(first, inSync.GetProperty("served_commit").GetString());
        Assert.Equal(firstTag, inSync.GetProperty("served_hash").GetString());

        // Another machine's change leaves this one in sync.
        var other = _remote.Push("Label cp-01 (#7)", ("inventory/devices/cp-01.yaml", File.ReadAllText(Path.Combine(GitRemote.RepositoryRoot(), "inventory/devices/cp-01.yaml")) + "  rack: r9\n"));
        await SyncToAsync(host, other);
        Assert.Equal("in_sync", (await DriftOfAsync(host)).GetProperty("state").GetString());

        var tuning = _remote.Push(
            "Tune worker-01 (#42)",
            (TuningPatch, "machine:\n    sysctls:\n        net.core.somaxconn: \"65535\"\n"),
            ("inventory/devices/worker-01.yaml", "mac: 52:54:00:00:05:21\nhostname: worker-01\nrole: worker\nip: 10.0.5.21/24\npatches:\n  - " + TuningPatch + "\n"));
        await SyncToAsync(host, tuning);
        var unrelated = _remote.Push("Label cp-01 again", ("inventory/devices/cp-01.yaml", File.ReadAllText(Path.Combine(GitRemote.RepositoryRoot(), "inventory/devices/cp-01.yaml")) + "  rack: r10\n"));
        await SyncToAsync(host, unrelated);

        var drifted = await DriftOfAsync(host);
        Assert.Equal("drifted", drifted.GetProperty("state").GetString());
        Assert.Equal(tuning, drifted.GetProperty("since_commit").GetString());
        Assert.Equal(42, drifted.GetProperty("since_pull_request").GetInt32());
        Assert.Equal(first, drifted.GetProperty("served_commit").GetString());
        Assert.Contains("ktizo_devices_drifted 1\n", await host.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        var listed = JsonDocument.Parse(await host.Client.GetStringAsync("/api/v1/devices")).RootElement.GetProperty("devices").EnumerateArray()
            .Single(d => d.GetProperty("mac").GetString() == Mac);
        Assert.Equal("drifted", listed.GetProperty("drift").GetProperty("state").GetString());

        var report = await GetJsonAsync(host, Device + "/drift");
        var diff = report.GetProperty("diff").GetString()!;
        output.WriteLine(diff);
        Assert.Contains("\n+    sysctls:\n+        net.core.somaxconn: \"65535\"\n", diff, StringComparison.Ordinal);
        Assert.Contains("(served from " + first[..12] + ")", diff, StringComparison.Ordinal);
        // The hunk's context reaches into cluster: its secret is there, masked.
        Assert.Contains("secret: \"******\"", diff, StringComparison.Ordinal);
        Assert.All(Private(bundle), value => Assert.DoesNotContain(value, report.ToString(), StringComparison.Ordinal));
        Assert.Equal("no-reboot", report.GetProperty("apply_mode").GetString());
        Assert.Equal("Talos v1.13", report.GetProperty("apply_rule").GetString()); // inventory/cluster.yaml's talosVersion
        Assert.False(report.TryGetProperty("apply_rule_note", out _)); // v1.13 has its own table
        Assert.Equal(["machine.sysctls"], report.GetProperty("changed_parts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("10.0.5.21", report.GetProperty("node").GetString());

        using (var browser = await PageForms.SignedInAdminAsync(host))
        {
            var list = await browser.GetStringAsync("/");
            Assert.Contains($"drifted</span> since <code>{tuning[..12]}</code> (PR #42)", list, StringComparison.Ordinal);
            var page = await browser.GetStringAsync("/ui/devices/" + Uri.EscapeDataString(Mac) + "/config");
            Assert.Contains("id=\"drift-diff\"", page, StringComparison.Ordinal);
            Assert.Contains("+        net.core.somaxconn: &quot;65535&quot;", page, StringComparison.Ordinal);
            Assert.Contains("id=\"history\"", page, StringComparison.Ordinal);
            Assert.Contains($"<code>{first[..12]}</code>", page, StringComparison.Ordinal);
            Assert.All(Private(bundle), value => Assert.DoesNotContain(value, list + page, StringComparison.Ordinal));
        }

        var secondTag = await DownloadAsync(host);
        Assert.NotEqual(firstTag, secondTag);
        Assert.Equal("in_sync", (await DriftOfAsync(host)).GetProperty("state").GetString());
        Assert.Contains("ktizo_devices_drifted 0\n", await host.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        var synced = await GetJsonAsync(host, Device + "/drift");
        Assert.False(synced.TryGetProperty("diff", out _));

        var history = await GetJsonAsync(host, Device + "/history");
        var entries = history.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([unrelated, first], entries.Select(e => e.GetProperty("commit").GetString()));
        Assert.Equal([secondTag, firstTag], entries.Select(e => e.GetProperty("config_hash").GetString()));
        Assert.Equal("127.0.0.1", entries[0].GetProperty("address").GetString());
        Assert.False(entries[0].TryGetProperty("pull_request_url", out _)); // no GitHub repository configured
    }

    [Fact]
    public async Task History_KeepsTheConfiguredNumberOfEntries_AndARepeatedDownloadAddsNone()
    {
        var commit = _remote.PushExample();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--history-entries", "2"]);
        await host.WaitForCommitAsync(commit);
        var tags = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            tags.Add(await DownloadAsync(host));
            await DownloadAsync(host); // the same bytes again: no row
            commit = _remote.Push($"Tune worker-01, step {i}", (TuningPatch, $"machine:\n    sysctls:\n        net.core.somaxconn: \"{i}\"\n"),
                ("inventory/devices/worker-01.yaml", "mac: 52:54:00:00:05:21\nhostname: worker-01\nrole: worker\nip: 10.0.5.21/24\npatches:\n  - " + TuningPatch + "\n"));
            await SyncToAsync(host, commit);
        }

        var history = await GetJsonAsync(host, Device + "/history");
        Assert.Equal(2, history.GetProperty("kept").GetInt32());
        Assert.Equal([tags[2], tags[1]], history.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("config_hash").GetString()));

        var page = await GetJsonAsync(host, Device + "/history?limit=1");
        Assert.Equal([tags[2]], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("config_hash").GetString()));
        var next = await GetJsonAsync(host, page.GetProperty("next").GetString()!);
        Assert.Equal([tags[1]], next.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("config_hash").GetString()));
        Assert.False(next.TryGetProperty("next", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync(Device + "/history?limit=1000")).StatusCode);
    }

    [Fact]
    public async Task Drift_WhenTheSecretsChangedSinceTheDownload_SaysSoInsteadOfAWrongDiff()
    {
        var first = _remote.PushExample();
        var (file, bundle) = WriteBundle();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file]);
        await host.WaitForCommitAsync(first);
        await DownloadAsync(host);

        var second = BundleGenerator.Generate();
        File.WriteAllText(file, SecretsBundleWriter.Write(second));
        var tuning = _remote.Push("Tune worker-01", (TuningPatch, "machine:\n    sysctls:\n        vm.swappiness: \"1\"\n"),
            ("inventory/devices/worker-01.yaml", "mac: 52:54:00:00:05:21\nhostname: worker-01\nrole: worker\nip: 10.0.5.21/24\npatches:\n  - " + TuningPatch + "\n"));
        await SyncToAsync(host, tuning);

        var report = await GetJsonAsync(host, Device + "/drift");
        Assert.Equal("drifted", report.GetProperty("drift").GetProperty("state").GetString());
        Assert.False(report.TryGetProperty("diff", out _));
        Assert.Contains("renders other bytes today than the machine got", report.GetProperty("diff_unavailable").GetString(), StringComparison.Ordinal);
        Assert.All(Private(bundle).Concat(Private(second)), value => Assert.DoesNotContain(value, report.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/history")]
    [InlineData("/drift")]
    public async Task HistoryAndDrift_WithoutTheViewerOrAdminToken_Answer401(string path)
    {
        var commit = _remote.PushExample();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path);
        await host.WaitForCommitAsync(commit);
        using var anonymous = new HttpClient { BaseAddress = host.Client.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Device + path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(Device + path)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/v1/devices/not-a-mac" + path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/v1/devices/52:54:00:00:09:99" + path)).StatusCode);
    }

    // As Talos redacts: its certificates and the cluster's id are public; no key, token or secret may show.
    private static IEnumerable<string> Private(SecretsBundle b) =>
        [b.ClusterSecret, b.BootstrapToken, b.SecretboxEncryptionSecret!, b.TrustdToken, b.Etcd.Key, b.K8s.Key, b.K8sAggregator.Key, b.K8sServiceAccountKey, b.Os.Key];

    private (string File, SecretsBundle Bundle) WriteBundle()
    {
        var bundle = BundleGenerator.Generate();
        return (TempFolder.WritePrivate(_secrets.Sub("secrets.yaml"), SecretsBundleWriter.Write(bundle)), bundle);
    }

    private static async Task SyncToAsync(GatekeeperHost host, string commit)
    {
        await host.SyncAsync();
        await host.WaitForCommitAsync(commit);
    }

    /// <summary>Downloads worker-01's config; returns its ETag without quotes (the hash the history records).</summary>
    private static async Task<string> DownloadAsync(GatekeeperHost host)
    {
        using var response = await host.GetConfigAsync(Query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.Tag.Trim('"');
    }

    private static async Task<JsonElement> DriftOfAsync(GatekeeperHost host) => (await GetJsonAsync(host, Device)).GetProperty("drift");

    private static async Task<JsonElement> GetJsonAsync(GatekeeperHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
