using System.Text.RegularExpressions;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// Fails a tree that holds secret material in git: templates (bases and patches), the cluster file and device files.
/// Code <c>secret-in-git</c>, at the value's file:line:col; the message names the kind of secret and where it
/// belongs instead (the secrets bundle, docs/secrets.md), never the value. Line by line, so it reads Scriban
/// patches as well as plain YAML, and comments too: a key in a comment is still a key in git.
/// </summary>
public static partial class SecretScan
{
    public const string Code = "secret-in-git";

    private const string HowToMove =
        "remove it from git: the renderer puts the cluster's secrets in from the secrets bundle (docs/secrets.md); `ktizo secrets extract` moves the values of existing templates into a bundle";

    /// <summary>Fields that hold a secret whatever their parent (Talos's names and the bundle's).</summary>
    private static readonly HashSet<string> SecretFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "token", "bootstraptoken", "passphrase", "password", "secret", "secretboxEncryptionSecret", "aescbcEncryptionSecret",
    };

    /// <summary>Parents whose <c>key:</c> is a private key (Talos's CA fields and the bundle's cert entries).</summary>
    private static readonly HashSet<string> KeyParents = new(StringComparer.OrdinalIgnoreCase)
    {
        "ca", "aggregatorCA", "serviceAccount", "etcd", "k8s", "k8saggregator", "k8sserviceaccount", "os",
    };

    /// <summary>
    /// Every field any supported Talos redacts is a secret in git too, by its last key (<c>privateKey</c>,
    /// <c>apiToken</c>, …) or, for a <c>key</c>, by its parent (<c>clientIdentity.key</c>); and a URL carrying one
    /// of the query parameters Talos redacts (SideroLink's <c>jointoken</c>).
    /// </summary>
    private static readonly (HashSet<string> Fields, HashSet<string> KeyParents, string[] QueryParameters) Redacted = FromRedactionTables();

    private static (HashSet<string>, HashSet<string>, string[]) FromRedactionTables()
    {
        var fields = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keyParents = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queries = new List<string>();
        foreach (var rule in Redaction.RedactionTable.All.Rules)
        {
            var segments = rule.Segments.Select(s => s.TrimEnd('[', ']')).ToArray();
            if (rule.QueryParameter is { } query)
            {
                queries.Add(query + "=");
            }
            else if (segments[^1] == "key" && segments.Length > 1)
            {
                keyParents.Add(segments[^2]);
            }
            else
            {
                fields.Add(segments[^1]);
            }
        }

        return (fields, keyParents, [.. queries.Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    /// <summary>
    /// Every template and every inventory file other than the cluster and device files, which
    /// <see cref="InventoryReader"/> checks as it reads them (so an unchanged device file is not read again).
    /// </summary>
    public static void Check(IFileTree tree, Diagnostics diagnostics)
    {
        foreach (var path in tree.ListFilesRecursive("templates").Concat(tree.ListFilesRecursive("inventory")))
        {
            if (path == InventoryReader.ClusterFile || path.StartsWith(InventoryReader.DevicesDirectory + "/", StringComparison.Ordinal)
                || !path.EndsWith(".yaml", StringComparison.Ordinal) && !path.EndsWith(".yml", StringComparison.Ordinal))
            {
                continue;
            }

            var file = tree.Read(path);
            if (file is null || file.Content.Length > InventoryReader.MaxFileBytes)
            {
                continue; // the readers report a file that is too large
            }

            CheckText(path, System.Text.Encoding.UTF8.GetString(file.Content.Span), diagnostics);
        }
    }

    /// <summary>Every finding in one file's text.</summary>
    public static void CheckText(string path, string text, Diagnostics diagnostics)
    {
        var parents = new List<(int Indent, string Key)>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (Find(line, parents) is { } finding)
            {
                diagnostics.Add(Code, $"{finding.What} in git: {HowToMove}", new SourceLocation(path, lineNumber, finding.Column + 1));
            }
        }
    }

    private static (string What, int Column)? Find(string line, List<(int Indent, string Key)> parents)
    {
        var pem = SecretShapes.PemPrivateKey().Match(line);
        if (pem.Success)
        {
            return ("a PEM private key", pem.Index);
        }

        var token = SecretShapes.TokenInText().Match(line);
        if (token.Success)
        {
            return ("a token of Talos's and Kubernetes's form ([a-z0-9]{6}.[a-z0-9]{16})", token.Index);
        }

        var field = Field().Match(line);
        if (!field.Success)
        {
            return null;
        }

        var indent = field.Groups["indent"].Length + field.Groups["dash"].Length;
        var key = field.Groups["key"].Value.Trim('"', '\'');
        while (parents.Count > 0 && parents[^1].Indent >= indent)
        {
            parents.RemoveAt(parents.Count - 1);
        }

        var parent = parents.Count > 0 ? parents[^1].Key : null;
        parents.Add((indent, key));

        var valueGroup = field.Groups["value"];
        var value = StripComment(valueGroup.Value).Trim();
        if (IsEmpty(value) || value.Contains("{{", StringComparison.Ordinal))
        {
            return null; // nothing there, or a value the template computes from the model
        }

        var column = valueGroup.Index;
        var unquoted = value.Trim('"', '\'');
        if (SecretShapes.IsPem(unquoted, "PRIVATE KEY"))
        {
            return ("base64 of a PEM private key", column);
        }

        if (key == "key" && parent is not null && (KeyParents.Contains(parent) || Redacted.KeyParents.Contains(parent)))
        {
            return ($"a private key ({parent}.key)", column);
        }

        if (SecretFields.Contains(key) || Redacted.Fields.Contains(key))
        {
            return ($"a secret value ({key})", column);
        }

        if (Array.Find(Redacted.QueryParameters, q => unquoted.Contains(q, StringComparison.OrdinalIgnoreCase)) is { } parameter)
        {
            return ($"a secret in a URL ({parameter[..^1]})", column);
        }

        return null;
    }

    private static bool IsEmpty(string value) => value is "" or "\"\"" or "''" or "~" or "null" or "{}" or "[]";

    private static string StripComment(string value)
    {
        // A '#' starts a comment only after a space (or at the start) and outside quotes; enough for secret values.
        var quote = '\0';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || value[i - 1] == ' '))
            {
                return value[..i];
            }
        }

        return value;
    }

    [GeneratedRegex("^(?<indent> *)(?<dash>(?:- +)*)(?<key>[A-Za-z0-9_$.\\-/]+|\"[^\"]*\"|'[^']*')[ \\t]*:(?:[ \\t]+(?<value>.*)|$)", RegexOptions.CultureInvariant)]
    private static partial Regex Field();
}
