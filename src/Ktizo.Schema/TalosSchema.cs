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

    private TalosSchema(JsonSchema schema, string path)
    {
        _schema = schema;
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
            return new TalosSchema(schema, path);
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

                foreach (var (where, message) in Messages(result))
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

    private static IEnumerable<(string Where, string Message)> Messages(EvaluationResults result)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var detail in result.Details ?? [])
        {
            if (detail.Errors is null)
            {
                continue;
            }

            foreach (var (_, message) in detail.Errors)
            {
                var item = (detail.InstanceLocation.ToString(), message);
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
