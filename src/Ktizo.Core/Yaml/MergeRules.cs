using System.Text.RegularExpressions;
using Ktizo.Core.Yaml.Fields;

namespace Ktizo.Core.Yaml;

/// <summary>
/// How Talos merges each field of one document kind, as a tree of keys the merge walks beside the YAML
/// (one dictionary lookup per key). Built once per Talos minor from its generated table (Fields/).
/// </summary>
internal sealed partial class MergeRules
{
    /// <summary>The generated table of each Talos minor the merge knows.</summary>
    private static readonly Dictionary<string, FieldEntry[]> Tables = new(StringComparer.Ordinal)
    {
        ["1.11"] = TalosV1_11Fields.Entries,
        ["1.12"] = TalosV1_12Fields.Entries,
        ["1.13"] = TalosV1_13Fields.Entries,
        ["1.14"] = TalosV1_14Fields.Entries,
    };

    /// <summary>The minor used when a version is missing or has no table: the newest released one.</summary>
    public const string DefaultMinor = "1.13";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, MergeRules>> Built = new(StringComparer.Ordinal);

    private Dictionary<string, MergeRules>? children;

    private MergeRules(TalosField? field, string? source)
    {
        Field = field;
        Source = source;
    }

    /// <summary>How the value at this key merges; null for a document root or a path the table does not know.</summary>
    public TalosField? Field { get; private set; }

    /// <summary>The Talos Go file and line of the field.</summary>
    public string? Source { get; private set; }

    /// <summary>Rules of each item, for a list.</summary>
    public MergeRules? Item { get; private set; }

    /// <summary>Rules of each value, for a map (its keys are data, not fields).</summary>
    public MergeRules? Value { get; private set; }

    /// <summary>
    /// Fields under this struct, reached through structs held by value, that Talos resets when it merges a
    /// patch struct lacking them (<see cref="TalosField.Atomic"/> Merge methods, bools held by value).
    /// </summary>
    public IReadOnlyList<string[]> ResetWhenAbsent { get; private set; } = [];

    /// <summary>The rules of the document <paramref name="kind"/> (or the v1alpha1 one) under <paramref name="talosVersion"/>.</summary>
    /// A kind that minor does not have (a newer release's document) takes the rules of the newest minor
    /// that has it: Talos of that minor refuses the document anyway, and the merge stays the one it will have.
    public static MergeRules? For(string? talosVersion, bool isV1Alpha1, string kind)
    {
        var name = isV1Alpha1 ? "v1alpha1" : kind;
        if (Documents(MinorOf(talosVersion)).TryGetValue(name, out var rules))
        {
            return rules;
        }

        foreach (var minor in NewestFirst)
        {
            if (Documents(minor).TryGetValue(name, out rules))
            {
                return rules;
            }
        }

        return null;
    }

    private static readonly string[] NewestFirst = [.. Tables.Keys.OrderByDescending(m => Version.Parse(m))];

    /// <summary>The rules under <paramref name="key"/>: a field's, or for a map the rules of every value.</summary>
    public MergeRules? Child(string key) =>
        children is not null && children.TryGetValue(key, out var child) ? child : Value;

    /// <summary>Whether <paramref name="key"/> is a map key here (data) rather than a struct field.</summary>
    public bool IsMapKey(string key) => Value is not null && (children is null || !children.ContainsKey(key));

    /// <summary>The minor (<c>1.13</c>) of a version as cluster.yaml spells it, or <see cref="DefaultMinor"/>.</summary>
    public static string MinorOf(string? talosVersion)
    {
        var match = talosVersion is null ? null : VersionPattern().Match(talosVersion);
        var minor = match is { Success: true } ? $"{int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)}.{int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)}" : DefaultMinor;
        return Tables.ContainsKey(minor) ? minor : DefaultMinor;
    }

    private static Dictionary<string, MergeRules> Documents(string minor) => Built.GetOrAdd(minor, m => Build(Tables[m]));

    private static Dictionary<string, MergeRules> Build(FieldEntry[] entries)
    {
        var roots = new Dictionary<string, MergeRules>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!roots.TryGetValue(entry.Kind, out var node))
            {
                node = new MergeRules(null, null);
                roots[entry.Kind] = node;
            }

            foreach (var segment in entry.Path.Split('.'))
            {
                node = Step(node, segment);
            }

            node.Field = entry.Field;
            node.Source = entry.Source;
            if (entry.Field == TalosField.Any)
            {
                // map[string]any: every level below follows the same rules.
                node.Value = node;
                node.Item = node;
            }
        }

        foreach (var root in roots.Values)
        {
            CollectResets(root);
        }

        return roots;
    }

    private static MergeRules Step(MergeRules node, string segment)
    {
        var items = 0;
        while (segment.EndsWith("[]", StringComparison.Ordinal))
        {
            segment = segment[..^2];
            items++;
        }

        if (segment == "*")
        {
            node = node.Value ??= new MergeRules(null, null);
        }
        else
        {
            node.children ??= new Dictionary<string, MergeRules>(StringComparer.Ordinal);
            if (!node.children.TryGetValue(segment, out var child))
            {
                child = new MergeRules(null, null);
                node.children[segment] = child;
            }

            node = child;
        }

        for (var i = 0; i < items; i++)
        {
            node = node.Item ??= new MergeRules(null, null);
        }

        return node;
    }

    private static void CollectResets(MergeRules node)
    {
        if (node.children is not null)
        {
            var resets = new List<string[]>();
            foreach (var (key, child) in node.children)
            {
                if (child.Field is TalosField.Atomic or TalosField.Bool)
                {
                    resets.Add([key]);
                }
                else if (child.Field == TalosField.Struct)
                {
                    CollectResets(child);
                    resets.AddRange(child.ResetWhenAbsent.Select(p => (string[])[key, .. p]));
                }
            }

            if (resets.Count > 0)
            {
                node.ResetWhenAbsent = resets;
            }

            foreach (var child in node.children.Values)
            {
                if (child.Field != TalosField.Struct)
                {
                    CollectResets(child);
                }
            }
        }

        if (node.Item is { } item && !ReferenceEquals(item, node))
        {
            CollectResets(item);
        }

        if (node.Value is { } value && !ReferenceEquals(value, node))
        {
            CollectResets(value);
        }
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
