using Ktizo.Core.ClusterSecrets;
using Ktizo.Testing;

namespace Ktizo.Cli.Tests;

public sealed class SecretsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ktizo-secrets-").FullName;
    private readonly string _repo;

    public SecretsCommandTests()
    {
        _repo = Path.Combine(_dir, "repo");
        ExampleRepository.CopyTo(_repo);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_ThenRender_ConfigsCarryTheBundleAndNoOutputShowsASecret()
    {
        var file = Path.Combine(_dir, "secrets.yaml");
        var generate = CliRun.Invoke("secrets", "generate", "--out", file);
        Assert.True(generate.ExitCode == 0, generate.Error);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var bundle = SecretsBundleReader.ReadOrThrow(File.ReadAllText(file), file);
        Assert.Contains(bundle.Fingerprint, generate.Error, StringComparison.Ordinal);

        var outDir = Path.Combine(_dir, "out");
        var render = CliRun.Invoke("render", "--repo", _repo, "--out", outDir, "--secrets", file);
        var validate = CliRun.Invoke("validate", "--repo", _repo);

        Assert.True(render.ExitCode == 0, render.Error);
        Assert.DoesNotContain("placeholder", render.Error, StringComparison.Ordinal);
        Assert.Contains("placeholder secrets", validate.Out, StringComparison.Ordinal);
        var controlPlane = File.ReadAllText(Path.Combine(outDir, "52-54-00-00-05-11.yaml"));
        var worker = File.ReadAllText(Path.Combine(outDir, "52-54-00-00-05-21.yaml"));
        Assert.Contains(bundle.Etcd.Key, controlPlane, StringComparison.Ordinal);
        Assert.Contains(bundle.K8s.Crt, worker, StringComparison.Ordinal);
        Assert.DoesNotContain(bundle.K8s.Key, worker, StringComparison.Ordinal);
        var outputs = generate.Out + generate.Error + render.Out + render.Error + validate.Out + validate.Error;
        foreach (var value in bundle.Values())
        {
            Assert.DoesNotContain(value, outputs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Generate_WhenTheFileExists_RefusesAndKeepsIt()
    {
        var file = Path.Combine(_dir, "secrets.yaml");
        File.WriteAllText(file, "keep");

        var run = CliRun.Invoke("secrets", "generate", "--out", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("never overwritten", run.Error, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(file));
    }

    [Fact]
    public void Render_WithABrokenBundle_NamesTheFileAndField()
    {
        var file = Path.Combine(_dir, "secrets.yaml");
        File.WriteAllText(file, SecretsBundleWriter.Write(PlaceholderSecrets.Bundle).Replace("bootstraptoken: ", "bootstraptoken: X", StringComparison.Ordinal));

        var run = CliRun.Invoke("render", "--repo", _repo, "--out", Path.Combine(_dir, "out"), "--secrets", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{file}:5:", run.Error, StringComparison.Ordinal);
        Assert.Contains("secrets.bootstraptoken must be a token", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void Validate_PatchAddingAKey_FailsWithSecretInGit()
    {
        File.WriteAllText(Path.Combine(_repo, "templates/patches/all/90-oops.yaml"), "cluster:\n  aggregatorCA:\n    key: c29tZWtleQ==\n");

        var run = CliRun.Invoke("validate", "--repo", _repo);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("templates/patches/all/90-oops.yaml:3:10: error secret-in-git", run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("c29tZWtleQ==", run.Out + run.Error, StringComparison.Ordinal);
    }
}
