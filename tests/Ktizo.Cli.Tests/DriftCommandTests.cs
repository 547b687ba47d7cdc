using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Ktizo.Cli.Tests;

/// <summary>
/// <c>ktizo drift</c> and <c>ktizo diff --gatekeeper</c> against a real gatekeeper on 127.0.0.1 serving a real git
/// repository with a real secrets bundle (issue 20): a machine downloads, a commit changes its patch.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DriftCommandTests : IAsyncLifetime
{
    private const string ViewerToken = "viewer-token-0123456789";
    private const string Worker1 = "52:54:00:00:05:21";
    private const string Tuning = "templates/patches/extra/tuning.yaml";

    private readonly TempGitRemote _git = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ktizo-drift-cli-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly SecretsBundle _bundle = BundleGenerator.Generate();
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _first = "";
    private string _tuned = "";

    private string SecretsFile => Path.Combine(_folder, "secrets.yaml");

    private Dictionary<string, string> Environment => new() { ["KTIZO_VIEWERTOKEN"] = ViewerToken, ["KTIZO_GATEKEEPERURL"] = _client.BaseAddress!.ToString() };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(SecretsFile, SecretsBundleWriter.Write(_bundle));
        File.SetUnixFileMode(SecretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ExampleRepository.CopyTo(_git.WorkPath);
        _first = _git.CommitAndPush("Example cluster");
        _app = GatekeeperApp.Build(
            [
                "--repository", _git.RemotePath, "--branch", "main", "--data-folder", Path.Combine(_folder, "data"), "--urls", "http://127.0.0.1:0",
                "--poll-interval", "1h", "--admin-token", "admin-token-0123456789", "--viewer-token", ViewerToken, "--rate-limit-permits", "0",
                "--secrets-file", SecretsFile,
            ],
            builder => builder.Logging.ClearProviders(),
            configureApp: null);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        await ServedAsync(_first);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/config/download?mac=" + Uri.EscapeDataString(Worker1))).StatusCode);
        _git.WriteFile(Tuning, "machine:\n    sysctls:\n        net.core.somaxconn: \"65535\"\n");
        _git.WriteFile("inventory/devices/worker-01.yaml", $"mac: {Worker1}\nhostname: worker-01\nrole: worker\nip: 10.0.5.21/24\npatches:\n  - {Tuning}\n");
        _tuned = _git.CommitAndPush("Tune worker-01 (#42)");
        await ServedAsync(_tuned);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _git.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Drift_ADriftedMachine_PrintsTheRedactedDiffAndTheApplyCommands()
    {
        var run = CliRun.Invoke(Environment, "drift");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"## worker-01 ({Worker1})", run.Out, StringComparison.Ordinal);
        Assert.Contains($"Drifted since {_tuned[..12]} (#42); it got {_first[..12]}", run.Out, StringComparison.Ordinal);
        Assert.Contains("+    sysctls:\n+        net.core.somaxconn: \"65535\"\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("talosctl apply-config --nodes 10.0.5.21 --file <DIR>/52-54-00-00-05-21.yaml --dry-run\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("talosctl apply-config --nodes 10.0.5.21 --file <DIR>/52-54-00-00-05-21.yaml --mode=no-reboot\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("`--mode=no-reboot`: Talos v1.13 applies machine.sysctls to a running machine (docs/drift.md).", run.Out, StringComparison.Ordinal);
        Assert.Contains("--mode=auto", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("worker-02", run.Out, StringComparison.Ordinal); // never downloaded: not drifted
        Assert.All(Private(_bundle), value => Assert.DoesNotContain(value, run.Out + run.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drift_Write_RendersHereTheBytesTheGatekeeperServes_ReadableByTheOwnerOnly()
    {
        var folder = Path.Combine(_folder, "out");

        var run = CliRun.Invoke(Environment, "drift", "--write", folder, "--secrets", SecretsFile, "--repo", _git.WorkPath);

        Assert.True(run.ExitCode == 0, run.Error);
        var file = Path.Combine(folder, "52-54-00-00-05-21.yaml");
        Assert.Contains($"talosctl apply-config --nodes 10.0.5.21 --file {file} --mode=no-reboot", run.Out, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var served = await _client.GetAsync("/api/v1/config/download?mac=" + Uri.EscapeDataString(Worker1));
        Assert.Equal(served.Headers.ETag!.Tag.Trim('"'), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
    }

    [Fact]
    public void Drift_WriteWithoutSecretsOrWithOtherSecrets_WritesNothing()
    {
        var folder = Path.Combine(_folder, "refused");
        var without = CliRun.Invoke(Environment, "drift", "--write", folder, "--repo", _git.WorkPath);
        Assert.Equal(ExitCodes.UsageOrIo, without.ExitCode);
        Assert.Contains("--write needs --secrets", without.Error, StringComparison.Ordinal);

        var other = Path.Combine(_folder, "other.yaml");
        File.WriteAllText(other, SecretsBundleWriter.Write(BundleGenerator.Generate()));
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var wrong = CliRun.Invoke(Environment, "drift", "--write", folder, "--secrets", other, "--repo", _git.WorkPath);
        Assert.Equal(ExitCodes.UsageOrIo, wrong.ExitCode);
        Assert.Contains("not the one the gatekeeper serves", wrong.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "52-54-00-00-05-21.yaml")));
    }

    [Fact]
    public void Drift_WithoutAToken_SaysWhichVariablesToSet()
    {
        var run = CliRun.Invoke(new Dictionary<string, string> { ["KTIZO_GATEKEEPERURL"] = _client.BaseAddress!.ToString() }, "drift");

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("KTIZO_VIEWERTOKEN", run.Error, StringComparison.Ordinal);
        Assert.Contains("KTIZO_ADMINTOKEN", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_WithAGatekeeper_NamesTheInstalledMachinesTheChangeLeavesDrifted_AndOnlyThem()
    {
        // worker-01 downloaded once; worker-02 never did. The change alters both.
        _git.WriteFile(Tuning, "machine:\n    sysctls:\n        net.core.somaxconn: \"1024\"\n");
        _git.WriteFile("inventory/devices/worker-02.yaml", File.ReadAllText(Path.Combine(_git.WorkPath, "inventory/devices/worker-02.yaml")).Replace("mtu: 9000", "mtu: 1500", StringComparison.Ordinal));
        var change = _git.Commit("Tune again");

        var with = CliRun.Invoke(Environment, "diff", _tuned, change, "--repo", _git.WorkPath);
        var json = CliRun.Invoke(Environment, "diff", _tuned, change, "--repo", _git.WorkPath, "--format", "json");
        var without = CliRun.Invoke("diff", _tuned, change, "--repo", _git.WorkPath);
        var untouched = CliRun.Invoke(Environment, "diff", _first, _first, "--repo", _git.WorkPath);

        Assert.True(with.ExitCode == 0, with.Error);
        Assert.Contains("worker-02", with.Out, StringComparison.Ordinal); // in the diff itself
        var paragraph = with.Out[with.Out.IndexOf("### Installed machines this leaves drifted", StringComparison.Ordinal)..];
        Assert.Contains($"| worker-01 | `{Worker1}` | drifted |", paragraph, StringComparison.Ordinal);
        Assert.DoesNotContain("worker-02", paragraph, StringComparison.Ordinal);
        var left = JsonDocument.Parse(json.Out).RootElement.GetProperty("leftDrifted").EnumerateArray().Select(m => m.GetProperty("mac").GetString());
        Assert.Equal([Worker1], left);
        Assert.True(without.ExitCode == 0, without.Error);
        Assert.DoesNotContain("Installed machines", without.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Installed machines", untouched.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_WhenTheGatekeeperCannotBeAsked_StillDiffsAndSaysSo()
    {
        var run = CliRun.Invoke(new Dictionary<string, string> { ["KTIZO_VIEWERTOKEN"] = ViewerToken }, "diff", _first, _tuned, "--repo", _git.WorkPath, "--gatekeeper", "http://127.0.0.1:1");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("worker-01", run.Out, StringComparison.Ordinal);
        Assert.Contains("could not be asked", run.Out, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Private(SecretsBundle b) =>
        [b.ClusterSecret, b.BootstrapToken, b.SecretboxEncryptionSecret!, b.TrustdToken, b.Etcd.Key, b.K8s.Key, b.K8sAggregator.Key, b.K8sServiceAccountKey, b.Os.Key];

    private async Task ServedAsync(string commit)
    {
        using var sync = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync");
        sync.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "admin-token-0123456789");
        (await _client.SendAsync(sync)).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(JsonDocument.Parse(await _client.GetStringAsync("/readyz")).RootElement.TryGetProperty("commit", out var served) && served.GetString() == commit))
        {
            Assert.True(DateTime.UtcNow < deadline, $"commit {commit} not served");
            await Task.Delay(50);
        }
    }
}
