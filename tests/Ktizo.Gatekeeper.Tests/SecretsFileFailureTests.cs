using System.Collections.Concurrent;
using System.Net;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>
/// A SecretsFile the gatekeeper cannot use, against real git, the real renderer and Kestrel: the sync error
/// names the file, nothing is served before a good bundle (503), the last good set stays served after one,
/// and no placeholder value ever reaches a machine.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsFileFailureTests(ITestOutputHelper output) : IDisposable
{
    private const string ControlPlane = "mac=52%3A54%3A00%3A00%3A05%3A11";
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-data");
    private readonly TempFolder _secrets = new("ktizo-secrets");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
        _secrets.Dispose();
    }

    public static TheoryData<string> Breakages => ["missing", "world-readable", "corrupt", "incomplete"];

    /// <summary>Makes <paramref name="file"/> unusable in the named way; the message part the sync error must carry.</summary>
    private static string Break(string file, string how, SecretsBundle bundle)
    {
        switch (how)
        {
            case "missing":
                File.Delete(file);
                return "does not exist";
            case "world-readable":
                File.WriteAllText(file, SecretsBundleWriter.Write(bundle));
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                return "its group or others";
            case "corrupt":
                TempFolder.WritePrivate(file, "cluster: [\n  id: {{");
                return "not valid YAML";
            default:
                TempFolder.WritePrivate(file, SecretsBundleWriter.Write(bundle).Replace($"    token: {bundle.TrustdToken}\n", "", StringComparison.Ordinal));
                return "trustdinfo";
        }
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task Start_WithAnUnusableSecretsFile_NamesItAndServesNothing(string how)
    {
        var commit = _remote.PushExample();
        var file = Path.Combine(_secrets.Path, "secrets.yaml");
        var bundle = BundleGenerator.Generate();
        File.WriteAllText(file, "");
        var expected = Break(file, how, bundle);
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file]);

        var sync = (await host.SyncAsync()).ToString();
        var download = await host.GetConfigAsync(ControlPlane);
        var ready = await host.Client.GetAsync("/readyz");

        Assert.Contains(file, sync, StringComparison.Ordinal);
        Assert.Contains(expected, sync, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, download.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var readiness = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.False(readiness.TryGetProperty("commit", out var served) && served.GetString() == commit, readiness.ToString());
        var body = await download.Content.ReadAsStringAsync();
        foreach (var value in bundle.Values().Concat(PlaceholderSecrets.Bundle.Values()))
        {
            Assert.DoesNotContain(value, body + sync, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task Sync_WhenTheSecretsFileBreaks_KeepsServingTheLastGoodSet(string how)
    {
        var commit = _remote.PushExample();
        var file = Path.Combine(_secrets.Path, "secrets.yaml");
        var good = BundleGenerator.Generate();
        TempFolder.WritePrivate(file, SecretsBundleWriter.Write(good));
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file]);
        await host.WaitForCommitAsync(commit);

        var expected = Break(file, how, BundleGenerator.Generate());
        // A commit too, so the sync has to render (the bundle alone is looked at on every render).
        var next = _remote.Push("a change that renders again", ("NOTES.md", "notes\n"));
        var sync = (await host.SyncAsync()).ToString();
        var download = await host.GetConfigAsync(ControlPlane);

        Assert.Contains(file, sync, StringComparison.Ordinal);
        Assert.Contains(expected, sync, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var config = await download.Content.ReadAsStringAsync();
        Assert.Contains(good.Etcd.Key, config, StringComparison.Ordinal);
        Assert.Contains(good.BootstrapToken, config, StringComparison.Ordinal);
        foreach (var value in PlaceholderSecrets.Bundle.Values())
        {
            Assert.DoesNotContain(value, config, StringComparison.Ordinal);
        }

        var ready = await host.ReadinessAsync();
        Assert.Equal(commit, ready.GetProperty("commit").GetString());
        Assert.NotEqual(commit, next);
        Assert.Contains(good.Fingerprint, ready.ToString(), StringComparison.Ordinal);
    }
}
