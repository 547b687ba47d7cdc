using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// A gatekeeper serving real generated secrets: every output of the run but the served config itself (every log
/// line, /readyz signed in and out, the device API, the pages, the redacted config, a sync that fails on a broken
/// bundle) is searched for every value of the bundle. None may appear (issue 17).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsNeverShownTests(ITestOutputHelper output) : IDisposable
{
    private const string Mac = "52:54:00:00:05:11";
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
    public async Task ServingRealSecrets_NoLogLineReadinessApiOrPageShowsAnyOfThem()
    {
        var commit = _remote.PushExample();
        var bundle = BundleGenerator.Generate();
        var file = TempFolder.WritePrivate(_secrets.Sub("secrets.yaml"), SecretsBundleWriter.Write(bundle));
        var log = new ConcurrentQueue<string>();
        var seen = new StringBuilder();
        var shownRedacted = "";
        await using (var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file], log: log))
        {
            await host.WaitForCommitAsync(commit);

            // The one output that must carry them: the machine's config.
            var config = await (await host.GetConfigAsync("mac=" + Uri.EscapeDataString(Mac))).Content.ReadAsStringAsync();
            Assert.Contains(bundle.Etcd.Key, config, StringComparison.Ordinal);

            using var anonymous = new HttpClient { BaseAddress = host.Client.BaseAddress };
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Client.BaseAddress };
            seen.AppendLine(await ReadAsync(anonymous, "/readyz"));
            seen.AppendLine(await ReadAsync(host.Client, "/readyz"));
            seen.AppendLine(await ReadAsync(host.Client, "/api/v1/devices"));
            seen.AppendLine(await ReadAsync(host.Client, "/api/v1/devices/" + Uri.EscapeDataString(Mac)));
            seen.AppendLine(await ReadAsync(host.Client, "/boot.ipxe?mac=" + Uri.EscapeDataString(Mac)));
            var signInForm = await ReadAsync(browser, "/");
            seen.AppendLine(signInForm);
            using (var signIn = await browser.PostAsync("/ui/signin", PageForms.Form(signInForm, ("token", GatekeeperHost.AdminToken))))
            {
                Assert.True(signIn.IsSuccessStatusCode || signIn.StatusCode == HttpStatusCode.Redirect, signIn.StatusCode.ToString());
            }

            var page = await ReadAsync(browser, "/");
            Assert.Contains(Mac, page, StringComparison.Ordinal);
            seen.AppendLine(page);
            seen.AppendLine(await ReadAsync(browser, "/ui/devices/" + Uri.EscapeDataString(Mac)));
            var redacted = await ReadAsync(browser, "/ui/devices/" + Uri.EscapeDataString(Mac) + "/config");
            Assert.Contains("machine:", redacted, StringComparison.Ordinal);
            shownRedacted = redacted;

            // A broken bundle: its error must name the file and the field, never a value around them.
            File.WriteAllText(file, SecretsBundleWriter.Write(bundle).Replace($"bootstraptoken: {bundle.BootstrapToken}", $"bootstraptoken: {bundle.BootstrapToken}!", StringComparison.Ordinal));
            var failed = (await host.SyncAsync()).ToString();
            Assert.Contains("secrets.bootstraptoken", failed, StringComparison.Ordinal);
            seen.AppendLine(failed);
            seen.AppendLine(await ReadAsync(host.Client, "/readyz"));
        }

        var logText = string.Join("\n", log);
        Assert.Contains(bundle.Fingerprint, logText, StringComparison.Ordinal);
        Assert.Contains(file, logText, StringComparison.Ordinal);
        var everything = seen + "\n" + logText;
        foreach (var value in bundle.Values())
        {
            Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
        }

        // The redacted config is the config for reading: its certificates and the cluster's id are public, as in
        // Talos's own redaction; no key, token or secret.
        foreach (var value in Private(bundle))
        {
            Assert.DoesNotContain(value, shownRedacted, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> Private(SecretsBundle b) =>
        new[] { b.ClusterSecret, b.BootstrapToken, b.SecretboxEncryptionSecret!, b.TrustdToken, b.Etcd.Key, b.K8s.Key, b.K8sAggregator.Key, b.K8sServiceAccountKey, b.Os.Key };

    private static async Task<string> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return $"{path} {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}";
    }
}
