namespace Ktizo.Core.Drift;

/// <summary>
/// The parts of a machine config one Talos minor applies to a running machine (see <see cref="LiveField"/>); any other
/// changed part means a reboot. A version without a table of its own gets the newest table, with a <see cref="Note"/>
/// saying so: the newest is the likeliest to match a Talos newer than Ktizo knows.
/// </summary>
public sealed class LiveApplyTable
{
    /// <summary>One table per supported minor, oldest first; each names the Talos source of every entry.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LiveField>> ByMinor { get; } = new Dictionary<string, IReadOnlyList<LiveField>>(StringComparer.Ordinal)
    {
        ["1.11"] = TalosV1_11And12LiveFields.V1_11,
        ["1.12"] = TalosV1_11And12LiveFields.V1_12,
        ["1.13"] = TalosV1_13LiveFields.Fields,
    };

    private static readonly string Newest = ByMinor.Keys.Last();

    private LiveApplyTable(string name, IReadOnlyList<LiveField> fields, string? note)
    {
        Name = name;
        Fields = fields;
        Note = note;
    }

    /// <summary>Whose rule it is, for people: <c>Talos v1.13</c>.</summary>
    public string Name { get; }

    public IReadOnlyList<LiveField> Fields { get; }

    /// <summary>Null when the version has a table; otherwise which table stands in for it.</summary>
    public string? Note { get; }

    /// <summary>The table for <paramref name="talosVersion"/> as cluster.yaml spells it (<c>v1.13.9</c>, <c>1.13</c>).</summary>
    public static LiveApplyTable For(string? talosVersion)
    {
        var version = TalosVersion.Parse(talosVersion);
        if (version is not null && ByMinor.TryGetValue(version.Minor, out var fields))
        {
            return new($"Talos v{version.Minor}", fields, note: null);
        }

        var why = version is null ? $"Talos version '{talosVersion}' is not a version" : $"Talos v{version.Minor} has no apply-mode table here";
        return new($"Talos v{Newest}", ByMinor[Newest], $"{why}; the apply mode follows Talos v{Newest}'s rule, the newest Ktizo knows.");
    }

    /// <summary>The entry that makes <paramref name="part"/> apply live, or null when changing it needs a reboot.</summary>
    public LiveField? Find(string part) => Fields.FirstOrDefault(f => f.Covers(part));
}
