using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Schema.Tests;

/// <summary>
/// Each check runs twice: on a small schema of this project's own writing in the shape of Talos's (always),
/// and on the official release schema (when the Talos reference material is there).
/// </summary>
public class TalosSchemaTests
{
    private static readonly Lazy<TalosSchema> Own = new(() => TalosSchema.Load(TalosShaped.Schema));

    private static readonly Lazy<TalosSchema> V113 = new(() => TalosSchema.Load(TalosReference.File("config.schema.v1.13.9.json")));

    /// <summary>The structural v1.13 schema Ktizo ships: needs nothing outside the checkout.</summary>
    private static readonly Lazy<TalosSchema> Shipped = new(() => TalosSchemas.Embedded.For("v1.13.9")!);

    [Fact]
    public void Validate_ExampleConfigs_PassTheShippedV113Schema() => AssertExamplePasses(Shipped.Value);

    [Fact]
    public void Validate_WhenAPatchAddsAnUnknownKey_ShippedSchemaReportsItsPathAndDevice() => AssertUnknownKeyReported(Shipped.Value);

    [Fact]
    public void Validate_WhenADocumentHasAWrongType_ShippedSchemaReportsIt() => AssertWrongTypeReported(Shipped.Value);

    [Fact]
    public void Validate_PersistKey_IsToleratedOnPurposeByTheShippedSchema() => AssertPersistTolerated(Shipped.Value);

    [Fact]
    public void Validate_AgainstTheShippedV111Schema_NamesDocumentKindsItDoesNotKnow() =>
        AssertHostnameConfigUnknown(TalosSchemas.Embedded.For("v1.11.6")!);

    [Fact]
    public void Validate_ExampleConfigs_PassATalosShapedSchema() => AssertExamplePasses(Own.Value);

    [TalosReferenceFact]
    public void Validate_ExampleConfigs_PassTheOfficialV113Schema() => AssertExamplePasses(V113.Value);

    [Fact]
    public void Validate_WhenAPatchAddsAnUnknownKey_ReportsItsPathAndDevice() => AssertUnknownKeyReported(Own.Value);

    [TalosReferenceFact]
    public void Validate_WhenAPatchAddsAnUnknownKey_OfficialSchemaReportsItsPathAndDevice() => AssertUnknownKeyReported(V113.Value);

    [Fact]
    public void Validate_WhenADocumentHasAWrongType_ReportsIt() => AssertWrongTypeReported(Own.Value);

    [TalosReferenceFact]
    public void Validate_WhenADocumentHasAWrongType_OfficialSchemaReportsIt() => AssertWrongTypeReported(V113.Value);

    [Fact]
    public void Validate_PersistKey_IsToleratedOnPurpose() => AssertPersistTolerated(Own.Value);

    [TalosReferenceFact]
    public void Validate_PersistKey_IsToleratedOnPurposeByTheOfficialSchema() => AssertPersistTolerated(V113.Value);

    [Fact]
    public void Validate_AgainstASchemaWithoutAKind_NamesDocumentKindsItDoesNotKnow()
    {
        var folder = Directory.CreateTempSubdirectory("ktizo-schema-");
        try
        {
            var older = TalosSchema.Load(TalosShaped.SchemaWithout("HostnameConfig", Path.Combine(folder.FullName, "older.schema.json")));

            AssertHostnameConfigUnknown(older);
            Assert.DoesNotContain(Own.Value.Validate(Renderer.Render(ExampleRepository.Load()).Set!), e => e.Message.Contains("HostnameConfig", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [TalosReferenceFact]
    public void Validate_AgainstAnOlderSchema_NamesDocumentKindsItDoesNotKnow() =>
        AssertHostnameConfigUnknown(TalosSchema.Load(TalosReference.File("config.schema.v1.11.6.json")));

    private static void AssertExamplePasses(TalosSchema schema)
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;

        Assert.Empty(schema.Validate(set));
    }

    private static void AssertUnknownKeyReported(TalosSchema schema)
    {
        var tree = ExampleRepository.Load().Add("templates/patches/worker/60-typo.yaml", "machine:\n    instal:\n        disk: /dev/sdb\n");
        var set = Renderer.Render(tree).Set!;

        var errors = schema.Validate(set);

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("schema", e.Code));
        Assert.Contains(errors, e => e.Location.File == "inventory/devices/worker-01.yaml" && e.Message.Contains("'/machine/instal'", StringComparison.Ordinal));
    }

    private static void AssertWrongTypeReported(TalosSchema schema)
    {
        var tree = ExampleRepository.Load().Add("templates/patches/all/60-type.yaml", "apiVersion: v1alpha1\nkind: LinkConfig\nname: net0\nmtu: big\n");
        var set = Renderer.Render(tree).Set!;

        var errors = schema.Validate(set);

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("(LinkConfig) at '/mtu'", e.Message, StringComparison.Ordinal));
    }

    private static void AssertPersistTolerated(TalosSchema schema)
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;

        Assert.All(set.Approved.Values, c => Assert.Contains("persist: true", System.Text.Encoding.UTF8.GetString(c.Yaml), StringComparison.Ordinal));
        Assert.Empty(schema.Validate(set));
    }

    private static void AssertHostnameConfigUnknown(TalosSchema schema)
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;

        var errors = schema.Validate(set);

        Assert.Contains(errors, e => e.Message.Contains("kind 'HostnameConfig' is not in this schema", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("7445", 7445L)]
    [InlineData("'7445'", "7445")]
    [InlineData("\"true\"", "true")]
    [InlineData("1.5", 1.5)]
    [InlineData("10.0.5.1", "10.0.5.1")]
    public void ToJson_TypesPlainScalarsAsYamlDoesAndKeepsQuotedOnesStrings(string yaml, object expected)
    {
        var documents = Core.Yaml.YamlDocuments.Parse($"v: {yaml}\n", "t.yaml", out _);

        var json = TalosSchema.ToJson(documents[0].RootNode)!["v"]!;

        Assert.Equal(expected is bool b ? (b ? "true" : "false") : expected.ToString(), json.ToJsonString().Trim('"'));
        Assert.Equal(expected is string ? System.Text.Json.JsonValueKind.String : expected is bool ? System.Text.Json.JsonValueKind.True : System.Text.Json.JsonValueKind.Number, json.GetValueKind());
    }
}
