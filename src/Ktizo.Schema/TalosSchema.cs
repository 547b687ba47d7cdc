using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Ktizo.Core;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Schema;

/// <summary>
/// Checks rendered configs against an official Talos JSON schema (<c>config.schema.json</c> of a release).
/// One tolerance, on purpose: the v1alpha1 document's <c>persist</c> key is removed before checking. Talos
/// still writes it (<c>talosctl gen config</c> emits <c>persist: true</c>), but the schemas no longer list it
/// and forbid unknown keys, so every generated config would otherwise fail.
/// </summary>
public sealed class TalosSchema
{
    private readonly JsonSchema _schema;

    /// <summary>Document kind → index of its branch in the schema's top-level <c>oneOf</c> ("v1alpha1" for the machine config).</summary>
    private readonly Dictionary<string, int> _branches;

    private TalosSchema(JsonSchema schema, Dictionary<string, int> branches, string path)
    {
        _schema = schema;
        _branches = branches;
        Path = path;
    }

    public string Path { get; }

    public static TalosSchema Load(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            // A registry of its own: loading the same schema twice (tests, several runs) must not clash on its $id.
            var schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            return new TalosSchema(schema, Branches(JsonNode.Parse(text)), path);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or JsonSchemaException)
        {
            throw new KtizoException($"cannot load the schema {path}: {e.Message}", e);
        }
    }

    public IReadOnlyList<Diagnostic> Validate(RenderedSet set)
    {
        var errors = new List<Diagnostic>();
        foreach (var config in set.Approved.Values.OrderBy(c => c.Mac))
        {
            var documents = YamlDocuments.Parse(System.Text.Encoding.UTF8.GetString(config.Yaml), config.Device.File, out _);
            for (var i = 0; i < documents.Count; i++)
            {
                var json = ToJson(documents[i].RootNode);
                if (json is JsonObject o && o["version"]?.GetValue<string>() == "v1alpha1")
                {
                    o.Remove("persist");
                }

                var kind = (json as JsonObject)?["kind"]?.ToString() ?? "v1alpha1";
                using var element = JsonDocument.Parse(json?.ToJsonString() ?? "null");
                var result = _schema.Evaluate(element.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
                if (result.IsValid)
                {
                    continue;
                }

                foreach (var (where, message) in Messages(result, kind))
                {
                    errors.Add(new Diagnostic(
                        "schema",
                        $"rendered config for {config.Device.Hostname}, document {i + 1} ({kind}) at '{where}': {message} ({System.IO.Path.GetFileName(Path)})",
                        new SourceLocation(config.Device.File, 1, 1)));
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// The schema is a <c>oneOf</c> over every document kind, so a bad document fails every branch. Only the
    /// branch for the document's own kind says something useful.
    /// </summary>
    private IEnumerable<(string Where, string Message)> Messages(EvaluationResults result, string kind)
    {
        if (!_branches.TryGetValue(kind, out var branch))
        {
            yield return ("", $"kind '{kind}' is not in this schema (a newer Talos document?)");
            yield break;
        }

        var prefix = $"/oneOf/{branch}";
        var seen = new HashSet<(string, string)>();
        foreach (var detail in result.Details ?? [])
        {
            if (detail.Errors is null || !detail.EvaluationPath.ToString().StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (_, message) in detail.Errors)
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

    private static Dictionary<string, int> Branches(JsonNode? schema)
    {
        var branches = new Dictionary<string, int>(StringComparer.Ordinal);
        var oneOf = schema?["oneOf"]?.AsArray() ?? [];
        for (var i = 0; i < oneOf.Count; i++)
        {
            var reference = oneOf[i]?["$ref"]?.GetValue<string>();
            var name = reference?.Split('/').Last();
            var definition = name is null ? null : schema?["$defs"]?[name];
            var kind = definition?["properties"]?["kind"]?["enum"]?[0]?.GetValue<string>();
            branches[kind ?? (name == "v1alpha1.Config" ? "v1alpha1" : name ?? $"#{i}")] = i;
        }

        return branches;
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
