using System.Text;
using Ktizo.Core.Redaction;
using Ktizo.Core.Yaml;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Redaction of the values Talos itself treats as secret (its own <c>Redact</c>, per Talos version:
/// <see cref="RedactionTable"/>), for anything a person reads: diffs, pull-request comments, the web page.
/// Served configs are never redacted.
/// </summary>
public static class Secrets
{
    public const string Mask = Redactor.Mask;

    /// <summary>The config's text with every value <paramref name="table"/> names replaced by <see cref="Mask"/>.</summary>
    public static string Redact(ReadOnlySpan<byte> yaml, RedactionTable table)
    {
        var text = Encoding.UTF8.GetString(yaml);
        var documents = YamlDocuments.Parse(text, "rendered", out var errors);
        if (errors.Count > 0)
        {
            // Rendered configs always parse; if one ever did not, show nothing rather than risk a secret.
            return "# (config could not be parsed for redaction)\n";
        }

        Redactor.Apply(documents, table);
        return Encoding.UTF8.GetString(YamlWriter.Write(documents));
    }

    /// <summary>The config's text redacted for the Talos release <paramref name="talosVersion"/> (cluster.yaml's <c>talosVersion</c>).</summary>
    public static string Redact(ReadOnlySpan<byte> yaml, string talosVersion) => Redact(yaml, RedactionTable.ForReaders(talosVersion));

    /// <summary>Where the Talos version is not at hand: every value any supported Talos redacts.</summary>
    public static string Redact(ReadOnlySpan<byte> yaml) => Redact(yaml, RedactionTable.All);
}
