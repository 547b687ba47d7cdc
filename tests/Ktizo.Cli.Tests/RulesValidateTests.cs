using Ktizo.Testing;

namespace Ktizo.Cli.Tests;

/// <summary><c>ktizo validate</c> checks inventory/rules.yaml like every other inventory file (docs/rules.md).</summary>
public sealed class RulesValidateTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("ktizo-cli-rules-").FullName;

    public RulesValidateTests() => ExampleRepository.CopyTo(_repo);

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private void WriteRules(string text) => File.WriteAllText(Path.Combine(_repo, "inventory/rules.yaml"), text);

    [Fact]
    public void Validate_WithAGoodRule_ExitsZero()
    {
        WriteRules("rules:\n  - name: rack-a\n    match: {macPrefix: 52:54:00}\n    action: merge\n    role: worker\n    hostname: worker-{n:02}\n    pool: {subnet: 10.0.5.0/24, range: 10.0.5.100-10.0.5.149}\n");
        var run = CliRun.Invoke("validate", "--repo", _repo);
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Empty(run.Error);
    }

    [Fact]
    public void Validate_WithBadRules_ReportsEachAtItsLine()
    {
        WriteRules(
            "rules:\n  - name: rack-a\n    match: {macPrefix: 52:54:00}\n    action: merge\n    role: worker\n    hostname: worker-{n:02}\n    pool: {subnet: 10.0.5.0/24, range: 10.0.5.1-10.0.5.149}\n"
            + "  - name: rack-b\n    match: {uuid: \"[a-z]+\"}\n    action: propose\n    role: worker\n    hostname: Worker-{n}\n    pool: {subnet: 10.0.5.0/24}\n");
        var run = CliRun.Invoke("validate", "--repo", _repo);
        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/rules.yaml:7:40: error pool-overlaps-static:", run.Error, StringComparison.Ordinal);
        Assert.Contains("inventory/rules.yaml:9:19: error invalid-uuid-pattern:", run.Error, StringComparison.Ordinal);
        Assert.Contains("inventory/rules.yaml:12:15: error invalid-hostname-pattern:", run.Error, StringComparison.Ordinal);
    }
}
