using System.Net;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>The gatekeeper's secrets bundle against real git, the real renderer and Kestrel.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretsServingTests(ITestOutputHelper output) : IDisposable
{
    private const string ControlPlane = "mac=52%3A54%3A00%3A00%3A05%3A11";
    private const string Worker = "mac=52%3A54%3A00%3A00%3A05%3A21";
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-data");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task FirstStart_WithoutSecretsFile_GeneratesOneBundleAndServesItsValues()
    {
        var commit = _remote.PushExample();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path);
        await host.WaitForCommitAsync(commit);

        var file = Path.Combine(_data.Path, "secrets.yaml");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var bundle = SecretsBundleReader.ReadOrThrow(File.ReadAllText(file), file);
        var ready = (await host.ReadinessAsync()).ToString();
        Assert.Contains($"\"fingerprint\":\"{bundle.Fingerprint}\"", ready, StringComparison.Ordinal);
        Assert.Contains("\"generated\":true", ready, StringComparison.Ordinal);
        var controlPlane = await (await host.GetConfigAsync(ControlPlane)).Content.ReadAsStringAsync();
        var worker = await (await host.GetConfigAsync(Worker)).Content.ReadAsStringAsync();
        Assert.Contains(bundle.Etcd.Key, controlPlane, StringComparison.Ordinal);
        Assert.Contains(bundle.Os.Key, controlPlane, StringComparison.Ordinal);
        Assert.Contains(bundle.BootstrapToken, worker, StringComparison.Ordinal);
        Assert.DoesNotContain(bundle.Os.Key, worker, StringComparison.Ordinal);
        Assert.DoesNotContain(bundle.K8s.Key, worker, StringComparison.Ordinal);
        Assert.DoesNotContain("placeholder", controlPlane + worker, StringComparison.OrdinalIgnoreCase);
        foreach (var value in bundle.Values())
        {
            Assert.DoesNotContain(value, ready, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SecretsFile_WorldReadableThenFixedThenChanged_RefusesThenServesThenRendersAgain()
    {
        var commit = _remote.PushExample();
        var file = Path.Combine(_data.Path, "..", $"bundle-{Guid.NewGuid():N}.yaml");
        var first = BundleGenerator.Generate();
        File.WriteAllText(file, SecretsBundleWriter.Write(first));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        try
        {
            await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--secrets-file", file]);
            var refused = (await host.SyncAsync()).ToString();
            Assert.Contains("secrets-bundle", refused, StringComparison.Ordinal);
            Assert.Contains("its group or others", refused, StringComparison.Ordinal);
            Assert.NotEqual(HttpStatusCode.OK, (await host.GetConfigAsync(ControlPlane)).StatusCode);

            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await host.SyncAsync();
            await host.WaitForCommitAsync(commit);
            Assert.Contains(first.Etcd.Key, await (await host.GetConfigAsync(ControlPlane)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var second = BundleGenerator.Generate();
            File.WriteAllText(file, SecretsBundleWriter.Write(second));
            var after = (await host.SyncAsync()).ToString();
            Assert.Contains(second.Fingerprint, after, StringComparison.Ordinal);
            var config = await (await host.GetConfigAsync(ControlPlane)).Content.ReadAsStringAsync();
            Assert.Contains(second.Etcd.Key, config, StringComparison.Ordinal);
            Assert.DoesNotContain(first.Etcd.Key, config, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
