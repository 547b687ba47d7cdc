namespace Ktizo.Core.Redaction;

/// <summary>
/// The values to redact for one Talos release: the table of its minor version, without the entries its
/// patch release does not have yet. A version with no table of its own (or none at all) gets every
/// entry of every table, the safe side, with a <see cref="Note"/> saying so.
/// </summary>
public sealed class RedactionTable
{
    /// <summary>One table per supported minor; each names the Talos source of every entry.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<RedactionRule>> ByMinor { get; } = new Dictionary<string, IReadOnlyList<RedactionRule>>(StringComparer.Ordinal)
    {
        ["1.11"] = TalosV1_11Redactions.Rules,
        ["1.12"] = TalosV1_12Redactions.Rules,
        ["1.13"] = TalosV1_13Redactions.Rules,
    };

    private static readonly string Supported = string.Join(", ", ByMinor.Keys.Select(k => "v" + k));

    private RedactionTable(string name, IReadOnlyList<RedactionRule> rules, string? note)
    {
        Name = name;
        Rules = rules;
        Note = note;
    }

    /// <summary>What the rules are, for people: <c>Talos v1.13.9</c>, or a union's description.</summary>
    public string Name { get; }

    public IReadOnlyList<RedactionRule> Rules { get; }

    /// <summary>Null when the version has a table; otherwise why every table's entries are used.</summary>
    public string? Note { get; }

    /// <summary>Every entry of every table: for a version without a table, and where the version is not known.</summary>
    public static RedactionTable All { get; } = new(
        $"every supported Talos ({Supported})",
        Distinct(ByMinor.Values.SelectMany(r => r)),
        note: null);

    /// <summary>The table for <paramref name="talosVersion"/> as cluster.yaml spells it (<c>v1.13.9</c>, <c>1.13</c>).</summary>
    public static RedactionTable For(string talosVersion)
    {
        var version = TalosVersion.Parse(talosVersion);
        if (version is null)
        {
            return new(All.Name, All.Rules, $"Talos version '{talosVersion}' is not a version; secrets redacted as every supported Talos ({Supported}) redacts them.");
        }

        var minor = version.Minor;
        if (!ByMinor.TryGetValue(minor, out var rules))
        {
            return new(All.Name, All.Rules, $"Talos v{minor} has no redaction table here (supported: {Supported}); secrets redacted as every supported Talos redacts them.");
        }

        // Without a patch number the release is not known exactly: keep every entry of the minor.
        if (version.Patch is not { } patch)
        {
            return new($"Talos v{minor}", rules, note: null);
        }

        return new($"Talos v{minor}.{patch}", rules.Where(r => r.SincePatch <= patch).ToList(), note: null);
    }

    /// <summary>
    /// What Ktizo hides from people (diffs, comments, the page, logs): <paramref name="talosVersion"/>'s table
    /// plus every entry of every supported table. A field that a later Talos redacts is a secret in an earlier
    /// one too (v1.12 still prints VolumeConfig passphrases), so exactness gives way to safety here;
    /// <see cref="For"/> stays exactly Talos's list, for the listing and its tests.
    /// </summary>
    public static RedactionTable ForReaders(string talosVersion)
    {
        var exact = For(talosVersion);
        return new(exact.Note is null ? $"{exact.Name} and every field a later Talos redacts" : exact.Name, All.Rules, exact.Note);
    }

    /// <summary>Both tables' entries: for a diff across an upgrade, so neither side shows what the other hides.</summary>
    public RedactionTable Union(RedactionTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other) || (Name == other.Name && Note == other.Note))
        {
            return this;
        }

        var note = Note is null ? other.Note : other.Note is null ? Note : $"{Note} {other.Note}";
        return new($"{Name} and {other.Name}", Distinct(Rules.Concat(other.Rules)), note);
    }

    private static List<RedactionRule> Distinct(IEnumerable<RedactionRule> rules) =>
        rules.DistinctBy(r => (r.Document, r.Path, r.QueryParameter)).ToList();
}
