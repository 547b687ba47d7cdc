using System.Text.Json;
using Ktizo.Core.Redaction;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Ktizo.Testing.Redaction;

namespace Ktizo.Cli.Tests;

/// <summary>
/// `ktizo diff` between two real commits, the second putting every secret field of the cluster's Talos version
/// into a patch: the change is refused (`secret-in-git`, the check every field Talos redacts feeds), and neither
/// the text (the pull-request comment) nor the JSON nor the errors show any of the values.
/// </summary>
public sealed class DiffRedactionTests : IDisposable
{
    private const string SecretsPatch = "templates/patches/controlplane/90-secrets.yaml";
    private readonly TempGitRemote _git = new();

    public DiffRedactionTests() => ExampleRepository.CopyTo(_git.WorkPath);

    public void Dispose() => _git.Dispose();

    [Theory]
    [InlineData("v1.11.6")]
    [InlineData("v1.12.11")]
    [InlineData("v1.13.9")]
    public void Diff_APatchSettingEverySecretOfTheClustersTable_IsRefusedAndShowsNoneOfThem(string version)
    {
        var patch = SecretPatch.For(RedactionTable.For(version).Rules);
        var (before, after) = Commits(version, patch.Yaml);

        foreach (var format in new[] { "text", "json" })
        {
            var run = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath, "--format", format);

            Assert.Equal(ExitCodes.Invalid, run.ExitCode);
            Assert.Contains("secret-in-git", run.Out + run.Error, StringComparison.Ordinal);
            Assert.Contains(SecretsPatch, run.Out + run.Error, StringComparison.Ordinal);
            Assert.All(patch.Secrets, secret => Assert.DoesNotContain(secret, run.Out + run.Error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Diff_EveryTablesSecrets_EachRefusedAtItsLine()
    {
        var patch = SecretPatch.For(RedactionTable.All.Rules);
        var (before, after) = Commits("v1.13.9", patch.Yaml);

        var run = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath);

        var lines = patch.Yaml.Split('\n');
        var refused = (run.Out + run.Error).Split('\n').Count(l => l.Contains(SecretsPatch + ":", StringComparison.Ordinal) && l.Contains("secret-in-git", StringComparison.Ordinal));
        Assert.Equal(patch.Secrets.Count, refused);
        Assert.All(patch.Secrets, secret => Assert.DoesNotContain(secret, run.Out + run.Error, StringComparison.Ordinal));
        Assert.All(patch.Secrets, secret => Assert.Contains(lines, l => l.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact]
    public void Diff_TheThreeReportedLeaks_AreRefusedAndNotShown()
    {
        const string Leaks = """
            apiVersion: v1alpha1
            kind: WireguardConfig
            name: wg0
            privateKey: SECRET-wg-private-key-1
            ---
            apiVersion: v1alpha1
            kind: RegistryAuthConfig
            name: registry.example.com
            username: robot
            password: SECRET-registry-password-1
            ---
            apiVersion: v1alpha1
            kind: VolumeConfig
            name: EPHEMERAL
            encryption:
                provider: luks2
                keys:
                    - slot: 0
                      static:
                          passphrase: SECRET-volume-passphrase-1

            """;
        var (before, after) = Commits("v1.13.9", Leaks);

        var run = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains($"{SecretsPatch}:4:", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Contains($"{SecretsPatch}:10:", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Contains($"{SecretsPatch}:20:", run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-", run.Out + run.Error, StringComparison.Ordinal);
    }

    private (string Before, string After) Commits(string talosVersion, string patch)
    {
        var cluster = Path.Combine(_git.WorkPath, "inventory/cluster.yaml");
        var text = File.ReadAllText(cluster);
        Assert.Contains("talosVersion: v1.13.9\n", text, StringComparison.Ordinal);
        _git.WriteFile("inventory/cluster.yaml", text.Replace("talosVersion: v1.13.9\n", $"talosVersion: {talosVersion}\n", StringComparison.Ordinal));
        var before = _git.Commit($"Talos {talosVersion}");
        _git.WriteFile(SecretsPatch, patch);
        return (before, _git.Commit("Secrets in a patch"));
    }
}
