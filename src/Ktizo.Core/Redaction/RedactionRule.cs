namespace Ktizo.Core.Redaction;

/// <summary>
/// One value Talos's own <c>Redact</c> replaces: which document, where in it, and the Talos source that
/// decides it, so every entry can be checked against Talos at the tag its table names.
/// </summary>
/// <param name="Document">
/// <see cref="V1Alpha1"/> for the machine config document (<c>version: v1alpha1</c>, no <c>kind</c>), or
/// <c>apiVersion/kind</c> for the documents beside it, e.g. <c>v1alpha1/WireguardConfig</c> (the spelling of
/// Talos's <c>schemaMeta</c>).
/// </param>
/// <param name="Path">
/// Keys from the document's root, separated by dots. <c>key[]</c> walks every item of the list under
/// <c>key</c>; a <c>*</c> segment walks every value of a mapping whose keys are names (registry hosts).
/// </param>
/// <param name="TalosSource">The Talos file and function that redacts it: <c>path/to/file.go: (*Type).Func</c>.</param>
/// <param name="QueryParameter">When set, the value is a URL and only this query parameter's values are secret.</param>
/// <param name="SincePatch">The first patch release of the table's minor that redacts it (0: all of them).</param>
public sealed record RedactionRule(string Document, string Path, string TalosSource, string? QueryParameter = null, int SincePatch = 0)
{
    public const string V1Alpha1 = "v1alpha1";

    /// <summary>The path split into its segments.</summary>
    public string[] Segments => Path.Split('.');

    public override string ToString() =>
        QueryParameter is null ? $"{Document}: {Path}" : $"{Document}: {Path} (query parameter {QueryParameter})";
}
