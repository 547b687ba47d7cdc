using System.Text.Json;
using Json.Schema;
using Ktizo.Testing;

namespace Ktizo.Schema.Tests;

/// <summary>docs/schemas/rules.schema.json, the editors' schema of inventory/rules.yaml, agrees with the reader on what it can express.</summary>
public sealed class RulesEditorSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(ExampleRepository.Root, "docs", "schemas", "rules.schema.json")),
        new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private const string Rule = """
        {"name": "rack-a-workers", "match": {"macPrefix": "52:54:00", "sourceSubnet": ["10.0.5.0/24"]}, "action": "merge",
         "role": "worker", "hostname": "worker-{n:02}", "pool": {"subnet": "10.0.5.0/24", "range": "10.0.5.100-10.0.5.149"},
         "labels": {"topology.kubernetes.io/zone": "rack-a"}, "maxPerHour": 10}
        """;

    private static bool Valid(string rulesJson)
    {
        using var document = JsonDocument.Parse(rulesJson);
        return Schema.Value.Evaluate(document.RootElement).IsValid;
    }

    [Fact]
    public void Schema_AcceptsTheDocumentedRule_AndAnEmptyList()
    {
        Assert.True(Valid($$"""{"rules": [{{Rule}}]}"""));
        Assert.True(Valid("""{"rules": null}"""));
    }

    [Theory]
    [InlineData("\"action\": \"merge\"", "\"action\": \"merg\"")]
    [InlineData("\"role\": \"worker\"", "\"role\": \"workers\"")]
    [InlineData("\"hostname\": \"worker-{n:02}\"", "\"hostname\": \"worker\"")]
    [InlineData("\"maxPerHour\": 10", "\"maxPerHour\": 0")]
    [InlineData("\"maxPerHour\": 10", "\"hostnmae\": \"x\"")]
    [InlineData("\"match\": {\"macPrefix\": \"52:54:00\", \"sourceSubnet\": [\"10.0.5.0/24\"]}", "\"match\": {}")]
    [InlineData("\"pool\": {\"subnet\": \"10.0.5.0/24\", \"range\": \"10.0.5.100-10.0.5.149\"}", "\"pool\": {\"range\": \"10.0.5.100-10.0.5.149\"}")]
    public void Schema_RefusesWhatTheReaderRefuses(string good, string bad)
    {
        Assert.Contains(good, Rule, StringComparison.Ordinal);
        Assert.False(Valid($$"""{"rules": [{{Rule.Replace(good, bad, StringComparison.Ordinal)}}]}"""));
    }
}
