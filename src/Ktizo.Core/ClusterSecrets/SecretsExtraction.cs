using Ktizo.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>What <see cref="SecretsExtraction.Extract"/> gives: the bundle and both templates without their secrets.</summary>
public sealed record ExtractedSecrets(SecretsBundle Bundle, string ControlPlane, string Worker)
{
    /// <summary>Never the values.</summary>
    public override string ToString() => $"ExtractedSecrets({Bundle})";
}

/// <summary>
/// The migration of a repository made before the bundle (issue 17): reads the secret values out of the base
/// templates as <c>talosctl gen config</c> writes them (the fields <see cref="SecretsPlacement"/> fills) and gives
/// the templates back without them. The text is cut by line ranges taken from the parser's positions, never
/// re-serialised, so every other byte (comments, quoting, blank lines) stays as it was. All or nothing: a value
/// the control plane lacks, one the two templates disagree on, or a layout that cannot be cut by lines gives
/// errors at file:line and no result. No message quotes a value.
/// </summary>
public static class SecretsExtraction
{
    private const string Code = "secrets-extract";

    public static ExtractedSecrets? Extract(string controlPlaneText, string controlPlanePath, string workerText, string workerPath, out IReadOnlyList<Diagnostic> errors)
    {
        var found = new Diagnostics();
        errors = found.Items;
        var cp = Template.Parse(controlPlaneText, controlPlanePath, found);
        var worker = Template.Parse(workerText, workerPath, found);
        if (cp is null || worker is null)
        {
            return null;
        }

        string[] placed = ["machine.token", "machine.ca", "cluster.id", "cluster.secret", "cluster.token", "cluster.secretboxEncryptionSecret", "cluster.aescbcEncryptionSecret", "cluster.ca", "cluster.aggregatorCA", "cluster.serviceAccount", "cluster.etcd.ca"];
        if (!placed.Any(p => cp.Has(p) || worker.Has(p)))
        {
            // A repository already migrated (this one's example): one line, not a line per field.
            found.Add(Code, "the base templates hold none of the cluster's secrets: nothing to extract (the renderer takes them from the bundle)", new SourceLocation(controlPlanePath, 1, 1));
            return null;
        }

        var values = new Dictionary<string, (string Value, SourceLocation At)>(StringComparer.Ordinal);
        void Required(string path)
        {
            if (cp.Scalar(path) is { } v)
            {
                values[path] = v;
            }
            else
            {
                found.Add(Code, $"{path} is missing or not a plain value: nothing to put in the bundle", cp.Nearest(path));
            }
        }

        foreach (var path in new[]
                 {
                     "machine.token", "machine.ca.crt", "machine.ca.key", "cluster.id", "cluster.secret", "cluster.token",
                     "cluster.ca.crt", "cluster.ca.key", "cluster.aggregatorCA.crt", "cluster.aggregatorCA.key",
                     "cluster.serviceAccount.key", "cluster.etcd.ca.crt", "cluster.etcd.ca.key",
                 })
        {
            Required(path);
        }

        var secretbox = cp.Scalar("cluster.secretboxEncryptionSecret");
        var aescbc = cp.Scalar("cluster.aescbcEncryptionSecret");
        if (secretbox is null == aescbc is null)
        {
            found.Add(Code, "the control plane needs exactly one of cluster.secretboxEncryptionSecret and cluster.aescbcEncryptionSecret", cp.Nearest("cluster.secretboxEncryptionSecret"));
        }

        // A worker holds copies of the shared values (and empty CA keys): each must be the control plane's.
        foreach (var path in new[] { "machine.token", "machine.ca.crt", "cluster.id", "cluster.secret", "cluster.token", "cluster.ca.crt" })
        {
            if (worker.Scalar(path) is { } w && values.TryGetValue(path, out var c) && !string.Equals(w.Value, c.Value, StringComparison.Ordinal))
            {
                found.Add(Code, $"{path} differs from the control plane's at {c.At}: the two templates are not of one cluster", w.At);
            }
        }

        foreach (var path in new[] { "machine.ca.key", "cluster.ca.key" })
        {
            if (worker.Scalar(path) is { Value.Length: > 0 } w && values.TryGetValue(path, out var c) && !string.Equals(w.Value, c.Value, StringComparison.Ordinal))
            {
                found.Add(Code, $"{path} differs from the control plane's at {c.At}: the two templates are not of one cluster", w.At);
            }
        }

        if (found.Count > 0)
        {
            return null;
        }

        string V(string path) => values[path].Value;
        CertificateAndKey Ca(string path) => new(V(path + ".crt"), V(path + ".key"));
        var bundle = new SecretsBundle(
            V("cluster.id"), V("cluster.secret"), V("cluster.token"), secretbox?.Value, aescbc?.Value, V("machine.token"),
            Ca("cluster.etcd.ca"), Ca("cluster.ca"), Ca("cluster.aggregatorCA"), V("cluster.serviceAccount.key"), Ca("machine.ca"));

        // The reader's checks (base64, key types, token shape) on what was found, reported where it was found.
        if (SecretsBundleReader.Read(SecretsBundleWriter.Write(bundle), "bundle", out var shapeErrors) is null)
        {
            foreach (var e in shapeErrors)
            {
                found.Add(Code, "as a bundle field: " + e.Message, cp.Nearest(TemplatePathOf(e.Message)));
            }

            return null;
        }

        var cpCut = cp.Without(placed, found);
        var workerCut = worker.Without(["machine.token", "machine.ca", "cluster.id", "cluster.secret", "cluster.token", "cluster.ca"], found);
        return found.Count > 0 || cpCut is null || workerCut is null ? null : new ExtractedSecrets(bundle, cpCut, workerCut);
    }

    // The reader names bundle fields ("secrets.bootstraptoken must …"); point at the template field they came from.
    private static string TemplatePathOf(string message)
    {
        var field = message.Split(' ', 2)[0];
        return field switch
        {
            _ when field.StartsWith("cluster.id", StringComparison.Ordinal) => "cluster.id",
            _ when field.StartsWith("cluster.secret", StringComparison.Ordinal) => "cluster.secret",
            _ when field.StartsWith("secrets.bootstraptoken", StringComparison.Ordinal) => "cluster.token",
            _ when field.StartsWith("secrets.secretbox", StringComparison.Ordinal) => "cluster.secretboxEncryptionSecret",
            _ when field.StartsWith("secrets.aescbc", StringComparison.Ordinal) => "cluster.aescbcEncryptionSecret",
            _ when field.StartsWith("trustdinfo", StringComparison.Ordinal) => "machine.token",
            _ when field.StartsWith("certs.etcd", StringComparison.Ordinal) => "cluster.etcd.ca",
            _ when field.StartsWith("certs.k8saggregator", StringComparison.Ordinal) => "cluster.aggregatorCA",
            _ when field.StartsWith("certs.k8sserviceaccount", StringComparison.Ordinal) => "cluster.serviceAccount.key",
            _ when field.StartsWith("certs.k8s", StringComparison.Ordinal) => "cluster.ca",
            _ when field.StartsWith("certs.os", StringComparison.Ordinal) => "machine.ca",
            _ => "cluster",
        };
    }

    /// <summary>One base template: its text, lines and the v1alpha1 document's root.</summary>
    private sealed class Template
    {
        private readonly string _path;
        private readonly string _text;
        private readonly YamlMappingNode _root;

        private Template(string path, string text, YamlMappingNode root)
        {
            _path = path;
            _text = text;
            _root = root;
        }

        public static Template? Parse(string text, string path, Diagnostics found)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                found.Add(Code, "the file is not valid YAML", new SourceLocation(path, (int)e.Start.Line, (int)e.Start.Column));
                return null;
            }

            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode("version")) && !m.Children.ContainsKey(new YamlScalarNode("kind")))
                {
                    return new Template(path, text, m);
                }
            }

            found.Add(Code, "no v1alpha1 machine config document (one with version and no kind)", new SourceLocation(path, 1, 1));
            return null;
        }

        public (string Value, SourceLocation At)? Scalar(string path) =>
            Find(path) is (var key, YamlScalarNode { Value: { } v, Style: not ScalarStyle.Literal and not ScalarStyle.Folded })
                ? (v, Diagnostics.At(_path, key))
                : null;

        /// <summary>The field's key, or the deepest key on its way: where a missing value would go.</summary>
        public SourceLocation Nearest(string path)
        {
            YamlNode at = _root;
            YamlNode node = _root;
            foreach (var name in path.Split('.'))
            {
                var key = (node as YamlMappingNode)?.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == name);
                if (key is null)
                {
                    break;
                }

                at = key;
                node = ((YamlMappingNode)node).Children[key];
            }

            return Diagnostics.At(_path, at);
        }

        private (YamlScalarNode Key, YamlNode Value, YamlMappingNode Parent)? Entry(string path)
        {
            var names = path.Split('.');
            var mapping = _root;
            for (var i = 0; i < names.Length; i++)
            {
                var key = mapping.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == names[i]);
                if (key is null)
                {
                    return null;
                }

                var value = mapping.Children[key];
                if (i == names.Length - 1)
                {
                    return (key, value, mapping);
                }

                if (value is not YamlMappingNode child)
                {
                    return null;
                }

                mapping = child;
            }

            return null;
        }

        public bool Has(string path) => Entry(path) is not null;

        private (YamlScalarNode Key, YamlNode Value)? Find(string path) => Entry(path) is { } e ? (e.Key, e.Value) : null;

        /// <summary>
        /// The text without the lines of each present field (key line through its value's last line). A parent left
        /// with nothing (<c>etcd:</c> holding only <c>ca</c>) goes too, since Talos writes it again with the value.
        /// </summary>
        public string? Without(string[] paths, Diagnostics found)
        {
            var lines = SplitLines(_text);
            var cut = new bool[lines.Count];
            foreach (var path in paths)
            {
                if (Entry(path) is not { } e)
                {
                    continue;
                }

                var (removeKey, removeValue, parent) = e;
                var dot = path.LastIndexOf('.');
                if (dot > 0 && parent.Children.Count == 1 && Entry(path[..dot]) is { } up && up.Parent != _root)
                {
                    (removeKey, removeValue, parent) = up;
                }

                if (parent.Style == MappingStyle.Flow || removeKey.Start.Line != removeKey.End.Line ||
                    lines[(int)removeKey.Start.Line - 1][..((int)removeKey.Start.Column - 1)].Trim().Length > 0)
                {
                    found.Add(Code, $"{path} is not on lines of its own (a flow mapping or a key after a dash): move it to the bundle by hand", Diagnostics.At(_path, removeKey));
                    continue;
                }

                var first = (int)removeKey.Start.Line - 1;
                var last = LastLine(removeValue) - 1;
                for (var i = first; i <= last; i++)
                {
                    cut[i] = true;
                }
            }

            return found.Count > 0 ? null : string.Concat(lines.Where((_, i) => !cut[i]));
        }

        // The last line that holds text of the node: a scalar's end, or its last descendant's.
        private static int LastLine(YamlNode node) => node switch
        {
            YamlScalarNode s => s.End.Column == 1 && s.End.Line > s.Start.Line ? (int)s.End.Line - 1 : (int)s.End.Line,
            YamlMappingNode { Style: MappingStyle.Flow } or YamlSequenceNode { Style: SequenceStyle.Flow } => (int)node.End.Line,
            YamlMappingNode m when m.Children.Count > 0 => m.Children.Max(c => Math.Max(LastLine(c.Key), LastLine(c.Value))),
            YamlSequenceNode q when q.Children.Count > 0 => q.Children.Max(LastLine),
            _ => (int)node.Start.Line,
        };

        // Lines with their own line ending, so joining the kept ones gives the kept bytes back exactly.
        private static List<string> SplitLines(string text)
        {
            var lines = new List<string>();
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    lines.Add(text[start..(i + 1)]);
                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                lines.Add(text[start..]);
            }

            return lines;
        }
    }
}
