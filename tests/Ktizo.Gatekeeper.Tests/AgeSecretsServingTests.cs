using System.Net;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Age;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Tests.Support;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>The secrets bundle age-encrypted in git (AgeIdentityFile), against real git, the real renderer and Kestrel.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgeSecretsServingTests(ITestOutputHelper output) : IDisposable
{
    private const string ControlPlane = "mac=52%3A54%3A00%3A00%3A05%3A11";
    private const string BundlePath = "secrets/bundle.yaml.age";
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-data");
    private readonly TempFolder _keys = new("ktizo-keys");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
        _keys.Dispose();
    }

    private string IdentityFile(AgeIdentity identity, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var file = Path.Combine(_keys.Path, $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, identity.Encode() + "\n");
        File.SetUnixFileMode(file, mode);
        return file;
    }

    private static byte[] Encrypted(SecretsBundle bundle, params AgeIdentity[] to) =>
        AgeFile.Encrypt(System.Text.Encoding.UTF8.GetBytes(SecretsBundleWriter.Write(bundle)), to.Select(i => i.Recipient).ToList());

    private async Task<string> ControlPlaneConfig(GatekeeperHost host) =>
        await (await host.GetConfigAsync(ControlPlane)).Content.ReadAsStringAsync();

    [Fact]
    public async Task AgeBundleInTheCommit_ServesItsValues_ThenAWrongRecipientOrCorruptFileKeepsTheLastGoodSet()
    {
        var gatekeeper = AgeIdentity.Generate();
        var admin = AgeIdentity.Generate();
        var first = BundleGenerator.Generate();
        _remote.PushExample();
        var good = _remote.PushBytes("Secrets for the gatekeeper and an admin", BundlePath, Encrypted(first, admin, gatekeeper));
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--age-identity-file", IdentityFile(gatekeeper)]);
        await host.WaitForCommitAsync(good);

        var ready = (await host.ReadinessAsync()).ToString();
        Assert.Contains(first.Etcd.Key, await ControlPlaneConfig(host), StringComparison.Ordinal);
        Assert.Contains($"\"fingerprint\":\"{first.Fingerprint}\"", ready, StringComparison.Ordinal);
        Assert.Contains("\"generated\":false", ready, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data.Path, "secrets.yaml")), "no bundle is generated or written when it comes from git");

        var other = BundleGenerator.Generate();
        _remote.PushBytes("Secrets for the admin only", BundlePath, Encrypted(other, admin));
        var wrongRecipient = (await host.SyncAsync()).ToString();
        Assert.Contains("secrets-bundle", wrongRecipient, StringComparison.Ordinal);
        Assert.Contains(BundlePath, wrongRecipient, StringComparison.Ordinal);
        Assert.Contains("none of the age identities", wrongRecipient, StringComparison.Ordinal);
        Assert.Contains(first.Etcd.Key, await ControlPlaneConfig(host), StringComparison.Ordinal);

        var corrupt = Encrypted(other, gatekeeper);
        corrupt[^3] ^= 1;
        _remote.PushBytes("A corrupt bundle", BundlePath, corrupt);
        var corrupted = (await host.SyncAsync()).ToString();
        Assert.Contains("does not authenticate", corrupted, StringComparison.Ordinal);
        Assert.Contains(first.Etcd.Key, await ControlPlaneConfig(host), StringComparison.Ordinal);

        var fixedCommit = _remote.PushBytes("Secrets rotated", BundlePath, Encrypted(other, gatekeeper));
        await host.SyncAsync();
        await host.WaitForCommitAsync(fixedCommit);
        var config = await ControlPlaneConfig(host);
        Assert.Contains(other.Etcd.Key, config, StringComparison.Ordinal);
        Assert.DoesNotContain(first.Etcd.Key, config, StringComparison.Ordinal);

        var outputs = wrongRecipient + corrupted + (await host.ReadinessAsync()).ToString();
        foreach (var value in first.Values().Concat(other.Values()).Append(gatekeeper.Encode()))
        {
            Assert.DoesNotContain(value, outputs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AgeIdentityFile_ReadableByOthers_IsRefusedAndNothingIsServed()
    {
        var gatekeeper = AgeIdentity.Generate();
        _remote.PushExample();
        _remote.PushBytes("Secrets", BundlePath, Encrypted(BundleGenerator.Generate(), gatekeeper));
        var identity = IdentityFile(gatekeeper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--age-identity-file", identity]);

        var refused = (await host.SyncAsync()).ToString();

        Assert.Contains($"the age identity file {identity} can be read or written by its group or others", refused, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, (await host.GetConfigAsync(ControlPlane)).StatusCode);
    }

    [Fact]
    public async Task AgeIdentityFile_WithoutTheBundleInTheCommit_SaysWhereItWasLooked()
    {
        var gatekeeper = AgeIdentity.Generate();
        _remote.PushExample();
        await using var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, ["--age-identity-file", IdentityFile(gatekeeper)]);

        var refused = (await host.SyncAsync()).ToString();

        Assert.Contains($"the age-encrypted secrets bundle {BundlePath} in commit", refused, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, (await host.GetConfigAsync(ControlPlane)).StatusCode);
    }
}
