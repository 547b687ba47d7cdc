using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Inventory;
using Ktizo.Core.Yaml;
using Ktizo.Crypto.Generation;
using Ktizo.Testing;

namespace Ktizo.Cli.Tests;

/// <summary>
/// The migration on a repository made before the bundle: the example with a freshly generated bundle written
/// into its base templates where talosctl writes them (no key kept in git).
/// </summary>
public sealed class SecretsExtractCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ktizo-extract-").FullName;
    private readonly string _repo;
    private readonly SecretsBundle _bundle = BundleGenerator.Generate();

    public SecretsExtractCommandTests()
    {
        _repo = Path.Combine(_dir, "repo");
        ExampleRepository.CopyTo(_repo);
        TemplatesWithSecrets.WriteTo(_repo, _bundle);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Template(string name) => Path.Combine(_repo, "templates", "base", name);

    [Fact]
    public void Extract_ThenValidateAndRender_NoSecretInGitAndConfigsCarryTheBundle()
    {
        var after = Path.Combine(_dir, "after");
        var bundleFile = Path.Combine(_dir, "secrets.yaml");
        var validateBefore = CliRun.Invoke("validate", "--repo", _repo);

        var extract = CliRun.Invoke("secrets", "extract", "--repo", _repo, "--out", bundleFile);
        var validateAfter = CliRun.Invoke("validate", "--repo", _repo);
        var renderAfter = CliRun.Invoke("render", "--repo", _repo, "--out", after, "--secrets", bundleFile);

        // The check is live: the templates as they were fail it.
        Assert.Equal(1, validateBefore.ExitCode);
        Assert.Contains("secret-in-git", validateBefore.Out + validateBefore.Error, StringComparison.Ordinal);
        Assert.True(extract.ExitCode == 0, extract.Error);
        Assert.True(validateAfter.ExitCode == 0, validateAfter.Out + validateAfter.Error);
        Assert.DoesNotContain("secret-in-git", validateAfter.Out + validateAfter.Error, StringComparison.Ordinal);
        Assert.True(renderAfter.ExitCode == 0, renderAfter.Error);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bundleFile));
        }

        // Field by field through the reader, and in the canonical layout.
        var read = SecretsBundleReader.ReadOrThrow(File.ReadAllText(bundleFile), bundleFile);
        Assert.Equal(_bundle.Values(), read.Values());
        Assert.Equal(SecretsBundleWriter.Write(_bundle), File.ReadAllText(bundleFile));
        Assert.Contains(_bundle.Fingerprint, extract.Error, StringComparison.Ordinal);

        // Only the secret lines went: the templates are the example's again, comments and all.
        Assert.Equal(File.ReadAllText(Path.Combine(ExampleRepository.Root, "templates", "base", "controlplane.yaml")), File.ReadAllText(Template("controlplane.yaml")));
        Assert.Equal(File.ReadAllText(Path.Combine(ExampleRepository.Root, "templates", "base", "worker.yaml")), File.ReadAllText(Template("worker.yaml")));

        // The migration's proof on real keys: the old base and the new base plus the bundle render the same bytes.
        foreach (var (role, old, name) in new[] { (Role.ControlPlane, TemplatesWithSecrets.ControlPlane(_bundle), "controlplane.yaml"), (Role.Worker, TemplatesWithSecrets.Worker(_bundle), "worker.yaml") })
        {
            var before = YamlWriter.Write(SecretsPlacement.Apply(YamlDocuments.Parse(old, name, out _), role, _bundle)!);
            var now = YamlWriter.Write(SecretsPlacement.Apply(YamlDocuments.Parse(File.ReadAllText(Template(name)), name, out _), role, read)!);
            Assert.Equal(before, now);
        }

        Assert.Contains(_bundle.Etcd.Key, File.ReadAllText(Path.Combine(after, "52-54-00-00-05-11.yaml")), StringComparison.Ordinal);
        var outputs = extract.Out + extract.Error + validateAfter.Out + validateAfter.Error + renderAfter.Out + renderAfter.Error;
        foreach (var value in _bundle.Values())
        {
            Assert.DoesNotContain(value, outputs, StringComparison.Ordinal);
            Assert.DoesNotContain(value, File.ReadAllText(Template("controlplane.yaml")) + File.ReadAllText(Template("worker.yaml")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Extract_WithoutOut_WritesTheBundleToStandardOutput()
    {
        var run = CliRun.Invoke("secrets", "extract", "--repo", _repo);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(SecretsBundleWriter.Write(_bundle), run.Out);
        Assert.DoesNotContain(_bundle.Os.Key, File.ReadAllText(Template("controlplane.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_TemplatesThatDisagree_RefusesWithExit1AndWritesNothing()
    {
        var worker = File.ReadAllText(Template("worker.yaml")).Replace(_bundle.ClusterSecret, Convert.ToBase64String(new byte[32]), StringComparison.Ordinal);
        File.WriteAllText(Template("worker.yaml"), worker);
        var bundleFile = Path.Combine(_dir, "secrets.yaml");

        var run = AssertNothingWritten(() => CliRun.Invoke("secrets", "extract", "--repo", _repo, "--out", bundleFile));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{Template("worker.yaml")}:{LineOf(worker, "    secret: ")}:5: error secrets-extract: cluster.secret differs from the control plane's", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(bundleFile));
        AssertNoSecretIn(run.Out + run.Error);
    }

    [Fact]
    public void Extract_ARequiredValueMissing_RefusesWithExit1NamingFileAndLine()
    {
        var cp = File.ReadAllText(Template("controlplane.yaml"));
        cp = cp.Replace($"    secretboxEncryptionSecret: {_bundle.SecretboxEncryptionSecret}\n", "", StringComparison.Ordinal);
        File.WriteAllText(Template("controlplane.yaml"), cp);

        var run = AssertNothingWritten(() => CliRun.Invoke("secrets", "extract", "--repo", _repo, "--out", Path.Combine(_dir, "secrets.yaml")));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{Template("controlplane.yaml")}:{LineOf(cp, "cluster:")}:1: error secrets-extract: the control plane needs exactly one of", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "secrets.yaml")));
    }

    [Fact]
    public void Extract_OverAnExistingBundle_RefusesAndTouchesNothing()
    {
        var bundleFile = Path.Combine(_dir, "secrets.yaml");
        File.WriteAllText(bundleFile, "keep");

        var run = AssertNothingWritten(() => CliRun.Invoke("secrets", "extract", "--repo", _repo, "--out", bundleFile));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("never overwritten", run.Error, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(bundleFile));
    }

    [Fact]
    public void Extract_IntoTheRepository_Refuses()
    {
        var run = AssertNothingWritten(() => CliRun.Invoke("secrets", "extract", "--repo", _repo, "--out", Path.Combine(_repo, "secrets.yaml")));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("inside the repository", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_repo, "secrets.yaml")));
    }

    private CliRun AssertNothingWritten(Func<CliRun> run)
    {
        var cp = File.ReadAllBytes(Template("controlplane.yaml"));
        var worker = File.ReadAllBytes(Template("worker.yaml"));
        var result = run();
        Assert.Equal(cp, File.ReadAllBytes(Template("controlplane.yaml")));
        Assert.Equal(worker, File.ReadAllBytes(Template("worker.yaml")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_repo, "templates", "base"), "*.ktizo-extract"));
        return result;
    }

    private void AssertNoSecretIn(string output)
    {
        foreach (var value in _bundle.Values())
        {
            Assert.DoesNotContain(value, output, StringComparison.Ordinal);
        }
    }

    private static int LineOf(string text, string start) =>
        text.Split('\n').Select((line, i) => (line, i)).Single(x => x.line.StartsWith(start, StringComparison.Ordinal)).i + 1;
}
