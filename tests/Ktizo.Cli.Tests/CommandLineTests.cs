using System.Text.Json;
using Ktizo.Testing;

namespace Ktizo.Cli.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("ktizo-cli-").FullName;

    public CommandLineTests() => ExampleRepository.CopyTo(_repo);

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    [Fact]
    public void Validate_WhenExampleIsValid_ExitsZero()
    {
        var run = CliRun.Invoke("validate", "--repo", _repo);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("valid: 5 approved and 1 rejected devices", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public void Validate_WhenInventoryIsInvalid_ExitsOneWithLocatedErrorsOnStderr()
    {
        File.WriteAllText(Path.Combine(_repo, "inventory/devices/worker-09.yaml"), "mac: nope\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\n");

        var run = CliRun.Invoke("validate", "--repo", _repo);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/devices/worker-09.yaml:1:6: error invalid-mac:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("::error", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeviceAuthRearm_OneLineIsValid_AnEmptyOneIsLocated()
    {
        var device = Path.Combine(_repo, "inventory/devices/worker-09.yaml");
        File.WriteAllText(device, "mac: 52:54:00:00:05:29\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\ndeviceAuthRearm: \"2026-12-05 reinstall\"\n");
        Assert.Equal(ExitCodes.Ok, CliRun.Invoke("validate", "--repo", _repo).ExitCode);

        File.WriteAllText(device, "mac: 52:54:00:00:05:29\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\ndeviceAuthRearm: \"\"\n");
        var run = CliRun.Invoke("validate", "--repo", _repo);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/devices/worker-09.yaml:5:18: error invalid-device-auth-rearm:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnderGitHubActions_AlsoWritesAnnotations()
    {
        File.WriteAllText(Path.Combine(_repo, "inventory/devices/worker-09.yaml"), "mac: nope\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\n");

        var run = CliRun.Invoke(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, "validate", "--repo", _repo);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("::error file=inventory/devices/worker-09.yaml,line=1,col=6,title=invalid-mac::'nope' is not a MAC address", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WithJsonFormat_PrintsOneDocumentWithEveryError()
    {
        File.WriteAllText(Path.Combine(_repo, "inventory/devices/worker-09.yaml"), "mac: nope\nhostname: Bad\nrole: worker\nip: 10.0.5.29/24\n");

        var run = CliRun.Invoke("validate", "--repo", _repo, "--format", "json");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var codes = json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).Order().ToList();
        Assert.Equal(["invalid-hostname", "invalid-mac"], codes);
        var first = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("inventory/devices/worker-09.yaml", first.GetProperty("file").GetString());
        Assert.True(first.GetProperty("line").GetInt32() > 0);
    }

    [Fact]
    public void Validate_WithSchema_PassesTheExample()
    {
        var run = CliRun.Invoke("validate", "--repo", _repo, "--schema", TalosShaped.Schema);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Empty(run.Error);
    }

    [Fact]
    public void Validate_WithSchema_WhenAPatchAddsAnUnknownKey_ExitsOneNamingTheKey()
    {
        File.WriteAllText(Path.Combine(_repo, "templates/patches/all/60-typo.yaml"), "machine:\n    instal:\n        disk: /dev/sdb\n");

        var run = CliRun.Invoke("validate", "--repo", _repo, "--schema", TalosShaped.Schema);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("error schema:", run.Error, StringComparison.Ordinal);
        Assert.Contains("'/machine/instal'", run.Error, StringComparison.Ordinal);
    }

    [TalosReferenceFact]
    public void Validate_WithOfficialSchema_PassesTheExample()
    {
        var run = CliRun.Invoke("validate", "--repo", _repo, "--schema", TalosReference.File("config.schema.v1.13.9.json"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("validate", "--no-such-option")]
    [InlineData("validate", "--format", "xml")]
    [InlineData("render")]
    [InlineData("diff", "main")]
    public void Run_WhenCommandLineIsWrong_ExitsTwo(params string[] args)
    {
        var run = CliRun.Invoke(args);

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenRepositoryFolderIsMissing_ExitsTwo()
    {
        var run = CliRun.Invoke("validate", "--repo", Path.Combine(_repo, "nope"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("is not a folder", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenRevisionGivenForAFolderThatIsNotARepository_ExitsTwo()
    {
        var run = CliRun.Invoke("validate", "--repo", _repo, "--rev", "main");

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("is not a git repository", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenSchemaFileIsMissing_ExitsTwo()
    {
        var run = CliRun.Invoke("validate", "--repo", _repo, "--schema", Path.Combine(_repo, "none.json"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
    }

    [Fact]
    public void Render_WritesOneFilePerDeviceAndAManifest()
    {
        var output = Path.Combine(_repo, "out");

        var run = CliRun.Invoke("render", "--repo", _repo, "--out", output);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var files = Directory.GetFiles(output).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["52-54-00-00-05-11.yaml", "52-54-00-00-05-12.yaml", "52-54-00-00-05-13.yaml", "52-54-00-00-05-21.yaml", "52-54-00-00-05-22.yaml", "manifest.json"], files);
        Assert.Contains("hostname: cp-01", File.ReadAllText(Path.Combine(output, "52-54-00-00-05-11.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenInvalid_WritesNothingAndKeepsThePreviousOutput()
    {
        var output = Path.Combine(_repo, "out");
        Assert.Equal(ExitCodes.Ok, CliRun.Invoke("render", "--repo", _repo, "--out", output).ExitCode);
        var before = Directory.GetFiles(output).Order().Select(File.ReadAllBytes).ToList();
        File.WriteAllText(Path.Combine(_repo, "inventory/devices/cp-01.yaml"), "mac: nope\n");

        var run = CliRun.Invoke("render", "--repo", _repo, "--out", output);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Equal(before, Directory.GetFiles(output).Order().Select(File.ReadAllBytes).ToList());
        Assert.Empty(Directory.GetDirectories(_repo, ".out.*"));
    }
}
