using Ktizo.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Inventory;

/// <summary>
/// Reads one YAML mapping of an inventory file against its known keys: unknown keys get a
/// suggestion, wrong shapes an error at the node, and nothing throws.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);

    public MappingReader(YamlMappingNode node, string file, string[] knownKeys, Diagnostics diagnostics, string? section = null)
    {
        Node = node;
        File = file;
        Diagnostics = diagnostics;
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                diagnostics.Add("invalid-key", "keys must be plain strings", file, keyNode);
                continue;
            }

            if (!knownKeys.Contains(key, StringComparer.Ordinal))
            {
                var where = section is null ? string.Empty : $" in '{section}'";
                var hint = Suggest.Closest(key, knownKeys) is { } s ? $"did you mean '{s}'? " : string.Empty;
                diagnostics.Add("unknown-key", $"unknown key '{key}'{where}: {hint}known keys are {string.Join(", ", knownKeys)}", file, keyNode);
                continue;
            }

            _values[key] = value;
        }
    }

    public YamlMappingNode Node { get; }

    public string File { get; }

    public Diagnostics Diagnostics { get; }

    public YamlNode? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>A scalar's text and its node; an error when required and absent, or when not a plain value.</summary>
    public (string? Value, YamlNode? Node) Scalar(string key, bool required)
    {
        if (!_values.TryGetValue(key, out var node) || node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" })
        {
            if (required)
            {
                Diagnostics.Add("missing-field", $"required field '{key}' is missing", File, node ?? Node);
            }

            return (null, node);
        }

        if (node is not YamlScalarNode scalar)
        {
            Diagnostics.Add("invalid-type", $"'{key}' must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}", File, node);
            return (null, node);
        }

        return (scalar.Value, node);
    }

    public IReadOnlyList<(string Value, YamlNode Node)> ScalarList(string key)
    {
        if (!_values.TryGetValue(key, out var node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Diagnostics.Add("invalid-type", $"'{key}' must be a list", File, node);
            return [];
        }

        var items = new List<(string, YamlNode)>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } value })
            {
                items.Add((value, item));
            }
            else
            {
                Diagnostics.Add("invalid-type", $"every item of '{key}' must be a single value", File, item);
            }
        }

        return items;
    }

    public MappingReader? Mapping(string key, string[] knownKeys)
    {
        if (!_values.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            Diagnostics.Add("invalid-type", $"'{key}' must be a mapping of names to values", File, node);
            return null;
        }

        return new MappingReader(mapping, File, knownKeys, Diagnostics, key);
    }
}
