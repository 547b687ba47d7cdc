using System.Text.Json;
using Ktizo.Core.Redaction;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Ktizo.Testing.Redaction;

namespace Ktizo.Cli.Tests;

/// <summary>
/// `ktizo diff` between two real commits, the second setting every secret field of the cluster's Talos
/// version: the text (the pull-request comment) and the JSON show none of them.
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
    public void Diff_APatchSettingEverySecretOfTheClustersTable_ShowsNoneOfThem(string version)
    {
        var patch = SecretPatch.For(RedactionTable.For(version).Rules);
        var (before, after) = Commits(version, patch.Yaml);

        foreach (var format in new[] { "text", "json" })
        {
            var run = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath, "--format", format);

            Assert.Equal(ExitCodes.Ok, run.ExitCode);
            Assert.All(patch.Secrets, secret => Assert.DoesNotContain(secret, run.Out + run.Error, StringComparison.Ordinal));
            Assert.Contains(Redactor.Mask, run.Out, StringComparison.Ordinal);
            Assert.All(patch.Kinds, kind => Assert.Contains($"kind: {kind}", run.Out, StringComparison.Ordinal));
            Assert.DoesNotContain("has no redaction table", run.Out, StringComparison.Ordinal);
        }

        Assert.Contains("3 changed", CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_AtAMinorWithoutATable_HidesEveryTablesSecretsAndSaysSo()
    {
        var patch = SecretPatch.For(RedactionTable.All.Rules);
        var (before, after) = Commits("v1.14.0", patch.Yaml);

        var text = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath);
        var json = CliRun.Invoke("diff", before, after, "--repo", _git.WorkPath, "--format", "json");

        Assert.All(patch.Secrets, secret => Assert.DoesNotContain(secret, text.Out + json.Out, StringComparison.Ordinal));
        Assert.Contains("> Talos v1.14 has no redaction table here", text.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Contains("Talos v1.14 has no redaction table here", document.RootElement.GetProperty("redactionNote").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_TheThreeReportedLeaks_AreRedacted()
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

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain("SECRET-wg-private-key-1", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-registry-password-1", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-volume-passphrase-1", run.Out, StringComparison.Ordinal);
        Assert.Contains("+username: robot", run.Out, StringComparison.Ordinal);
        Assert.Contains("+privateKey: '******'", run.Out.Replace("\"******\"", "'******'", StringComparison.Ordinal), StringComparison.Ordinal);
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
