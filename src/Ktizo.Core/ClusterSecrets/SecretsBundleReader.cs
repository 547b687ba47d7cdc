using Ktizo.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// Reads a secrets bundle as <c>talosctl gen secrets</c> writes it (<see cref="SecretsBundleWriter"/> for the layout).
/// Every problem is reported with file:line:col and the field's path; no message ever quotes a value.
/// </summary>
public static class SecretsBundleReader
{
    private static readonly string[] Sections = ["cluster", "secrets", "trustdinfo", "certs"];
    private static readonly string[] CertNames = ["etcd", "k8s", "k8saggregator", "k8sserviceaccount", "os"];

    /// <summary>The bundle, or null with every problem in <paramref name="errors"/>.</summary>
    public static SecretsBundle? Read(string text, string path, out IReadOnlyList<Diagnostic> errors)
    {
        var found = new Diagnostics();
        errors = found.Items;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // YamlDotNet's message can quote the text around the fault: say where, not what.
            found.Add("secrets-bundle", "the file is not valid YAML", new SourceLocation(path, (int)e.Start.Line, (int)e.Start.Column));
            return null;
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            found.Add("secrets-bundle", "a secrets bundle is one YAML mapping with cluster, secrets, trustdinfo and certs (as `talosctl gen secrets` writes it)", new SourceLocation(path, 1, 1));
            return null;
        }

        var reader = new Reader(path, found);
        reader.OnlyKeys(root, "", Sections);
        var cluster = reader.Section(root, "cluster", ["id", "secret"]);
        var secrets = reader.Section(root, "secrets", ["bootstraptoken", "secretboxencryptionsecret", "aescbcencryptionsecret"]);
        var trustd = reader.Section(root, "trustdinfo", ["token"]);
        var certs = reader.Section(root, "certs", CertNames);

        var id = reader.Base64(cluster, "cluster", "id", exactBytes: null);
        var secret = reader.Base64(cluster, "cluster", "secret", exactBytes: null);
        var bootstrap = reader.Token(secrets, "secrets", "bootstraptoken");
        var secretbox = reader.Base64(secrets, "secrets", "secretboxencryptionsecret", exactBytes: 32, optional: true);
        var aescbc = reader.Base64(secrets, "secrets", "aescbcencryptionsecret", exactBytes: 32, optional: true);
        if (secrets is not null && (secretbox is null) == (aescbc is null) && reader.NoErrorsUnder("secrets."))
        {
            found.Add("secrets-bundle", "secrets needs exactly one of secretboxencryptionsecret (Talos 1.3 and later) and aescbcencryptionsecret", Diagnostics.At(path, secrets));
        }

        var trustdToken = reader.Token(trustd, "trustdinfo", "token");
        var etcd = reader.Authority(certs, "etcd");
        var k8s = reader.Authority(certs, "k8s");
        var aggregator = reader.Authority(certs, "k8saggregator");
        var serviceAccount = reader.Key(reader.Section(certs, "k8sserviceaccount", ["key"], "certs."), "certs.k8sserviceaccount");
        var os = reader.Authority(certs, "os");

        if (found.Count > 0)
        {
            return null;
        }

        return new SecretsBundle(id!, secret!, bootstrap!, secretbox, aescbc, trustdToken!, etcd!, k8s!, aggregator!, serviceAccount!, os!);
    }

    /// <summary>The bundle, or a <see cref="KtizoException"/> listing every problem (for commands and the gatekeeper).</summary>
    public static SecretsBundle ReadOrThrow(string text, string path)
    {
        var bundle = Read(text, path, out var errors);
        return bundle ?? throw new KtizoException($"the secrets bundle {path} is not usable:\n  " + string.Join("\n  ", errors));
    }

    private sealed class Reader(string path, Diagnostics found)
    {
        public bool NoErrorsUnder(string prefix) => !found.Items.Any(d => d.Message.StartsWith(prefix, StringComparison.Ordinal));

        public void OnlyKeys(YamlMappingNode mapping, string prefix, string[] allowed)
        {
            foreach (var key in mapping.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    found.Add("secrets-bundle", $"{prefix}{name} is not a field of a Talos secrets bundle (expected one of: {string.Join(", ", allowed)}; names are lower case, as talosctl writes them)", Diagnostics.At(path, key));
                }
            }
        }

        public YamlMappingNode? Section(YamlMappingNode? parent, string name, string[] fields, string prefix = "")
        {
            if (parent is null)
            {
                return null;
            }

            if (!parent.Children.TryGetValue(new YamlScalarNode(name), out var node))
            {
                found.Add("secrets-bundle", $"{prefix}{name} is missing", Diagnostics.At(path, parent));
                return null;
            }

            if (node is not YamlMappingNode mapping)
            {
                found.Add("secrets-bundle", $"{prefix}{name} must be a mapping", Diagnostics.At(path, node));
                return null;
            }

            OnlyKeys(mapping, $"{prefix}{name}.", fields);
            return mapping;
        }

        public string? Base64(YamlMappingNode? section, string sectionName, string field, int? exactBytes, bool optional = false)
        {
            var (value, node) = Scalar(section, sectionName, field, optional);
            if (value is null)
            {
                return null;
            }

            var bytes = SecretShapes.DecodeBase64(value);
            if (bytes is null || (exactBytes is { } n && bytes.Length != n))
            {
                found.Add("secrets-bundle", $"{sectionName}.{field} must be base64{(exactBytes is { } m ? $" of {m} bytes" : "")}", Diagnostics.At(path, node));
                return null;
            }

            return value;
        }

        public string? Token(YamlMappingNode? section, string sectionName, string field)
        {
            var (value, node) = Scalar(section, sectionName, field, optional: false);
            if (value is not null && !SecretShapes.Token().IsMatch(value))
            {
                found.Add("secrets-bundle", $"{sectionName}.{field} must be a token of the form [a-z0-9]{{6}}.[a-z0-9]{{16}}", Diagnostics.At(path, node));
                return null;
            }

            return value;
        }

        public CertificateAndKey? Authority(YamlMappingNode? certs, string name)
        {
            var section = Section(certs, name, ["crt", "key"], "certs.");
            if (section is null)
            {
                return null;
            }

            var (crt, node) = Scalar(section, $"certs.{name}", "crt", optional: false);
            if (crt is not null && !SecretShapes.IsPem(crt, "CERTIFICATE"))
            {
                found.Add("secrets-bundle", $"certs.{name}.crt must be base64 of a PEM certificate", Diagnostics.At(path, node));
                crt = null;
            }

            var key = Key(section, $"certs.{name}");
            return crt is null || key is null ? null : new CertificateAndKey(crt, key);
        }

        public string? Key(YamlMappingNode? section, string sectionName)
        {
            var (key, node) = Scalar(section, sectionName, "key", optional: false);
            if (key is not null && !SecretShapes.IsPem(key, "PRIVATE KEY"))
            {
                found.Add("secrets-bundle", $"{sectionName}.key must be base64 of a PEM private key", Diagnostics.At(path, node));
                return null;
            }

            return key;
        }

        private (string? Value, YamlNode? Node) Scalar(YamlMappingNode? section, string sectionName, string field, bool optional)
        {
            if (section is null)
            {
                return (null, null);
            }

            if (!section.Children.TryGetValue(new YamlScalarNode(field), out var node) || node is YamlScalarNode { Value: null or "" })
            {
                if (!optional)
                {
                    found.Add("secrets-bundle", $"{sectionName}.{field} is missing or empty", Diagnostics.At(path, node ?? section));
                }

                return (null, node);
            }

            if (node is not YamlScalarNode scalar)
            {
                found.Add("secrets-bundle", $"{sectionName}.{field} must be a string", Diagnostics.At(path, node));
                return (null, node);
            }

            return (scalar.Value!.Trim(), node);
        }
    }
}
