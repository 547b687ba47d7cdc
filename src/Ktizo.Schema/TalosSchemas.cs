using System.Text.RegularExpressions;
using Ktizo.Core.Rendering;

namespace Ktizo.Schema;

/// <summary>
/// The Talos config schemas by version. <see cref="Embedded"/> holds this project's structural schemas, one per
/// supported Talos minor (src/Ktizo.Schema/Schemas/, derived by tools/schemas/derive.py); <see cref="Fixed"/>
/// answers one given schema for every version (<c>--schema FILE</c>, for a Talos release Ktizo has none for).
/// </summary>
public sealed partial class TalosSchemas : IConfigSchemas
{
    private const string ResourcePrefix = "Ktizo.Schema.Schemas.talos-";
    private const string ResourceSuffix = ".schema.json";

    private static readonly Lazy<TalosSchemas> EmbeddedSchemas = new(LoadEmbedded);

    /// <summary>Minor ("v1.13") → its schema, parsed on first use: a cluster needs one.</summary>
    private readonly IReadOnlyDictionary<string, Lazy<TalosSchema>> _byMinor;
    private readonly TalosSchema? _fixed;

    private TalosSchemas(IReadOnlyDictionary<string, Lazy<TalosSchema>> byMinor, TalosSchema? fixedSchema, string supported)
    {
        _byMinor = byMinor;
        _fixed = fixedSchema;
        Supported = supported;
    }

    /// <summary>The schemas that ship with Ktizo.</summary>
    public static TalosSchemas Embedded => EmbeddedSchemas.Value;

    /// <summary><paramref name="schema"/> for whatever <c>talosVersion</c> the cluster names.</summary>
    public static TalosSchemas Fixed(TalosSchema schema) =>
        new(new Dictionary<string, Lazy<TalosSchema>>(), schema, $"any (checked against {schema.Name})");

    public string Supported { get; }

    /// <summary>The minors there is a schema for, oldest first ("v1.11", "v1.12", …).</summary>
    public IReadOnlyList<string> Minors => [.. _byMinor.Keys.OrderBy(m => Version.Parse(m[1..]))];

    IConfigSchema? IConfigSchemas.For(string talosVersion) => For(talosVersion);

    public TalosSchema? For(string talosVersion)
    {
        if (_fixed is not null)
        {
            return _fixed;
        }

        var match = MinorPattern().Match(talosVersion);
        return match.Success && _byMinor.TryGetValue($"v{match.Groups[1].Value}", out var schema) ? schema.Value : null;
    }

    [GeneratedRegex(@"^v?(\d+\.\d+)(?:\.\d+)?(?:[-+].*)?$")]
    private static partial Regex MinorPattern();

    private static TalosSchemas LoadEmbedded()
    {
        var assembly = typeof(TalosSchemas).Assembly;
        var byMinor = new Dictionary<string, Lazy<TalosSchema>>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal)))
        {
            var minor = resource[ResourcePrefix.Length..^ResourceSuffix.Length];
            byMinor[minor] = new Lazy<TalosSchema>(() =>
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                return TalosSchema.Parse(reader.ReadToEnd(), $"talos-{minor}{ResourceSuffix}");
            });
        }

        // Versions compare as numbers: v1.9 before v1.10.
        return new TalosSchemas(byMinor, null, string.Join(", ", byMinor.Keys.OrderBy(m => Version.Parse(m[1..]))));
    }
}
