using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Schema;

/// <summary>
/// Checks rendered configs against a Talos config JSON schema: one of the structural schemas this project
/// derives per Talos minor (<see cref="TalosSchemas"/>), or a release's own <c>config.schema.json</c> (<c>--schema</c>).
/// One tolerance, on purpose: the v1alpha1 document's <c>persist</c> key is removed before checking. Talos
/// still writes it (<c>talosctl gen config</c> emits <c>persist: true</c>), but the schemas no longer list it
/// and forbid unknown keys, so every generated config would otherwise fail.
/// </summary>
public sealed class TalosSchema : IConfigSchema
{
    /// <summary>The code of every diagnostic this check adds.</summary>
    public const string Code = "schema";

    private readonly SchemaRegistry _registry;
    private readonly string _id;

    /// <summary>Document kind ("v1alpha1" for the machine config) → its definition under <c>$defs</c>.</summary>
    private readonly Dictionary<string, string> _definitions;

    /// <summary>
    /// One small schema per kind, a <c>$ref</c> to that kind's definition. The top level is a <c>oneOf</c> over every
    /// kind, so checking a document against it evaluates all of them; against its own kind's only, a fraction.
    /// </summary>
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _byKind = new(StringComparer.Ordinal);

    /// <summary>
    /// Findings by document (hash of its kind and JSON text). Devices share most documents whole (the resolver, the
    /// VIP, often the machine config), so each distinct one is evaluated once; the gatekeeper keeps the findings
    /// across renders. Bounded: emptied when it reaches <see cref="MaxRemembered"/> entries. Keyed by the first
    /// 128 bits of the SHA-256, not its hex: every device has a machine config of its own, and a hex string per
    /// entry cost ~2 MB at 10,000 devices, up to ~10 MB once full (docs/benchmarks.md, item 5).
    /// </summary>
    private readonly ConcurrentDictionary<UInt128, (string Where, string Message)[]> _findings = new();

    private const int MaxRemembered = 50_000;

    private TalosSchema(SchemaRegistry registry, string id, Dictionary<string, string> definitions, string name)
    {
        _registry = registry;
        _id = id;
        _definitions = definitions;
        Name = name;
    }

    /// <summary>What messages name as the schema checked against (a file name).</summary>
    public string Name { get; }

    /// <summary>A schema file, e.g. a Talos release's <c>config.schema.json</c>.</summary>
    public static TalosSchema Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), System.IO.Path.GetFileName(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KtizoException($"cannot load the schema {path}: {e.Message}", e);
        }
    }

    /// <summary>A schema from its text; <paramref name="name"/> is what messages call it.</summary>
    public static TalosSchema Parse(string text, string name)
    {
        try
        {
            // A registry of its own: loading the same schema twice (tests, several runs) must not clash on its $id.
            var registry = new SchemaRegistry();
            var root = JsonNode.Parse(text);
            var schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = registry });
            var id = root?["$id"]?.GetValue<string>() ?? throw new KtizoException($"the schema {name} has no $id");
            return new TalosSchema(registry, id, Definitions(root), name);
        }
        catch (Exception e) when (e is JsonException or JsonSchemaException or InvalidOperationException)
        {
            throw new KtizoException($"cannot load the schema {name}: {e.Message}", e);
        }
    }

    /// <summary>Every rendered config of <paramref name="set"/>, in MAC order.</summary>
    public IReadOnlyList<Diagnostic> Validate(RenderedSet set)
    {
        var errors = new List<Diagnostic>();
        foreach (var config in set.Approved.Values.OrderBy(c => c.Mac))
        {
            var documents = YamlDocuments.Parse(System.Text.Encoding.UTF8.GetString(config.Yaml), config.Device.File, out _);
            Check(documents, config.Device, errors);
        }

        return errors;
    }

    public void Check(IReadOnlyList<YamlDocument> documents, Device device, List<Diagnostic> errors)
    {
        for (var i = 0; i < documents.Count; i++)
        {
            var json = ToJson(documents[i].RootNode);
            if (json is JsonObject o && o["version"] is JsonValue version && version.GetValueKind() == JsonValueKind.String && version.GetValue<string>() == "v1alpha1")
            {
                o.Remove("persist");
            }

            var kind = (json as JsonObject)?["kind"]?.ToString() ?? "v1alpha1";
            foreach (var (where, message) in Findings(json, kind))
            {
                errors.Add(new Diagnostic(
                    Code,
                    $"rendered config for {device.Hostname}, document {i + 1} ({kind}) at '{where}': {message} ({Name})",
                    new SourceLocation(device.File, 1, 1)));
            }
        }
    }

    private (string Where, string Message)[] Findings(JsonNode? document, string kind)
    {
        var text = document?.ToJsonString() ?? "null";
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kind + "\n" + text)));
        if (_findings.TryGetValue(key, out var known))
        {
            return known;
        }

        using var parsed = JsonDocument.Parse(text);
        var findings = Messages(parsed.RootElement, kind).ToArray();
        if (_findings.Count >= MaxRemembered)
        {
            _findings.Clear();
        }

        _findings[key] = findings;
        return findings;
    }

    private IEnumerable<(string Where, string Message)> Messages(JsonElement document, string kind)
    {
        if (!_definitions.TryGetValue(kind, out var definition))
        {
            yield return ("", $"kind '{kind}' is not in this schema (a newer Talos document?)");
            yield break;
        }

        // Lazy: devices are checked in parallel, and the registry refuses a second schema under the same $id.
        var schema = _byKind.GetOrAdd(kind, _ => new Lazy<JsonSchema>(() => JsonSchema.FromText(
            JsonSerializer.Serialize(new Dictionary<string, string> { ["$id"] = $"{_id}/kinds/{Uri.EscapeDataString(kind)}", ["$ref"] = $"{_id}#/$defs/{definition}" }),
            new BuildOptions { SchemaRegistry = _registry }))).Value;
        var result = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            yield break;
        }

        var seen = new HashSet<(string, string)>();
        foreach (var detail in result.Details ?? [])
        {
            foreach (var (_, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                // additionalProperties: false reports an unknown key as "fails against the false schema".
                var text = message.Contains("false schema", StringComparison.Ordinal) ? "this key is not in the schema (misspelt, or not in this Talos version)" : message;
                var item = (detail.InstanceLocation.ToString(), text);
                if (seen.Add(item))
                {
                    yield return item;
                }
            }
        }

        if (seen.Count == 0)
        {
            yield return ("", "does not match the schema");
        }
    }

    /// <summary>Each branch of the top-level <c>oneOf</c> by the document kind it accepts.</summary>
    private static Dictionary<string, string> Definitions(JsonNode? schema)
    {
        var definitions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var branch in schema?["oneOf"]?.AsArray() ?? [])
        {
            var name = branch?["$ref"]?.GetValue<string>().Split('/').Last();
            var definition = name is null ? null : schema?["$defs"]?[name];
            if (definition is null)
            {
                continue;
            }

            var kind = definition["properties"]?["kind"]?["enum"]?[0]?.GetValue<string>();
            definitions[kind ?? (name == "v1alpha1.Config" ? "v1alpha1" : name!)] = name!;
        }

        return definitions;
    }

    /// <summary>YAML to JSON with YAML 1.2 core-schema typing of plain scalars (true, 42, 1.5, null); quoted scalars stay strings.</summary>
    internal static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? string.Empty, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsInfinity(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }
}
