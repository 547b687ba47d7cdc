using System.Diagnostics;
using System.Text.Json.Nodes;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Schema.Tests;

/// <summary>
/// The structural schemas Ktizo ships (src/Ktizo.Schema/Schemas/, written by tools/schemas/derive.py): one per
/// supported Talos minor, no prose, and, where the official material is there, exactly what the script makes of it
/// and in agreement with the official schema on what it accepts.
/// </summary>
public class DerivedSchemaTests
{
    private static readonly string[] Prose = ["description", "title", "markdownDescription", "x-intellij-html-description", "examples"];

    public static TheoryData<string> Minors() => new(TalosSchemas.Embedded.Minors);

    [Fact]
    public void Embedded_HoldsEverySupportedMinor()
    {
        Assert.Equal(["v1.11", "v1.12", "v1.13"], TalosSchemas.Embedded.Minors);
        Assert.Equal("v1.11, v1.12, v1.13", TalosSchemas.Embedded.Supported);
    }

    [Theory]
    [InlineData("v1.13.9", "talos-v1.13.schema.json")]
    [InlineData("v1.13.0-beta.1", "talos-v1.13.schema.json")]
    [InlineData("v1.12.0", "talos-v1.12.schema.json")]
    [InlineData("v1.11.6", "talos-v1.11.schema.json")]
    public void For_ASupportedRelease_GivesItsMinorsSchema(string version, string name) =>
        Assert.Equal(name, TalosSchemas.Embedded.For(version)?.Name);

    [Theory]
    [InlineData("v1.14.0")]
    [InlineData("v1.10.7")]
    [InlineData("v2.13.9")]
    public void For_AnUnsupportedRelease_IsNull(string version) => Assert.Null(TalosSchemas.Embedded.For(version));

    [Theory]
    [MemberData(nameof(Minors))]
    public void Derived_HasNoProseKeyAnywhere(string minor)
    {
        var keys = AllKeys(Derived(minor)).ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain("description", keys);
        Assert.All(Prose, p => Assert.DoesNotContain(p, keys));
        // And what decides acceptance is still there.
        Assert.Contains("additionalProperties", keys);
        Assert.Contains("enum", keys);
        Assert.Contains("pattern", keys);
        Assert.Contains("required", keys);
    }

    [Fact]
    public void ShippedV113_RefusesTheTypoTheIssueNames()
    {
        var tree = ExampleRepository.Load().Add("templates/patches/all/60-typo.yaml", "machine:\n    kubelet:\n        extraArg:\n            v: \"2\"\n");

        var errors = Renderer.Render(tree, schemas: TalosSchemas.Embedded).Errors;

        Assert.Equal(5, errors.Count);
        var cp01 = Assert.Single(errors, e => e.Location.File == "inventory/devices/cp-01.yaml");
        Assert.Equal("schema", cp01.Code);
        Assert.Contains("rendered config for cp-01, document 1 (v1alpha1) at '/machine/kubelet/extraArg'", cp01.Message, StringComparison.Ordinal);
    }

    /// <summary>Every official schema in the reference folder (v1.11.6 and v1.13.9 there today) against its shipped derivation.</summary>
    [TalosReferenceFact]
    public void Derived_IsWhatTheScriptMakesOfTheOfficialSchemas()
    {
        var officials = Directory.EnumerateFiles(TalosReference.Folder, "config.schema.v*.json").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(officials);
        var output = Directory.CreateTempSubdirectory("ktizo-derive-").FullName;
        try
        {
            RunScript(["--out", output, .. officials]);

            var made = Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(officials.Count, made.Count);
            foreach (var file in made)
            {
                var minor = file![("talos-".Length)..^".schema.json".Length];
                Assert.Equal(File.ReadAllText(ShippedPath(minor)), File.ReadAllText(Path.Combine(output, file)));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [TalosReferenceTheory]
    [InlineData("")]
    [InlineData("templates/patches/all/60-typo.yaml|machine:\n    kubelet:\n        extraArg:\n            v: \"2\"\n")]
    [InlineData("templates/patches/all/60-type.yaml|apiVersion: v1alpha1\nkind: LinkConfig\nname: net0\nmtu: big\n")]
    [InlineData("templates/patches/all/60-enum.yaml|cluster:\n    network:\n        cni:\n            name: calico\n")]
    [InlineData("templates/patches/all/60-kind.yaml|apiVersion: v1alpha1\nkind: NoSuchConfig\nname: x\n")]
    public void Derived_V113_AcceptsAndRefusesAsTheOfficialSchemaDoes(string patch)
    {
        var tree = ExampleRepository.Load();
        if (patch.Length > 0)
        {
            var (path, text) = (patch.Split('|')[0], patch.Split('|')[1]);
            tree.Add(path, text);
        }

        var set = Renderer.Render(tree).Set!;
        var official = TalosSchema.Load(TalosReference.File("config.schema.v1.13.9.json")).Validate(set);
        var derived = TalosSchemas.Embedded.For("v1.13.9")!.Validate(set);

        // Same findings; only the schema named at the end of each message differs.
        Assert.Equal(official.Select(e => e.Message.Replace("(config.schema.v1.13.9.json)", "", StringComparison.Ordinal)),
            derived.Select(e => e.Message.Replace("(talos-v1.13.schema.json)", "", StringComparison.Ordinal)));
        Assert.Equal(patch.Length == 0, derived.Count == 0);
    }

    private static string ShippedPath(string minor) => Path.Combine(ExampleRepository.Root, "src", "Ktizo.Schema", "Schemas", $"talos-{minor}.schema.json");

    private static JsonNode Derived(string minor) => JsonNode.Parse(File.ReadAllText(ShippedPath(minor)))!;

    private static IEnumerable<string> AllKeys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => AllKeys(kv.Value).Prepend(kv.Key)),
        JsonArray a => a.SelectMany(AllKeys),
        _ => [],
    };

    private static void RunScript(params string[] args)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(ExampleRepository.Root, "tools", "schemas", "derive.py"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"derive.py failed: {error.Result}");
    }
}
