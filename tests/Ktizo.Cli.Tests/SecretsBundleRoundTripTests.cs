using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Cli.Tests;

/// <summary>
/// A bundle of real keys, generated at test time (none is kept in git), written in talosctl's layout, read back:
/// every field of Talos's Bundle, as plain YAML sees it, lands in the property it belongs to.
/// </summary>
public sealed class SecretsBundleRoundTripTests
{
    [Fact]
    public void Generated_WrittenInTalosctlLayout_ReadsBackFieldByField()
    {
        var run = CliRun.Invoke("secrets", "generate");
        Assert.True(run.ExitCode == 0, run.Error);

        var fields = Flatten(run.Out);
        var read = SecretsBundleReader.ReadOrThrow(run.Out, "generated.yaml");

        var expected = new Dictionary<string, string>
        {
            ["cluster.id"] = read.ClusterId,
            ["cluster.secret"] = read.ClusterSecret,
            ["secrets.bootstraptoken"] = read.BootstrapToken,
            ["secrets.secretboxencryptionsecret"] = read.SecretboxEncryptionSecret!,
            ["trustdinfo.token"] = read.TrustdToken,
            ["certs.etcd.crt"] = read.Etcd.Crt,
            ["certs.etcd.key"] = read.Etcd.Key,
            ["certs.k8s.crt"] = read.K8s.Crt,
            ["certs.k8s.key"] = read.K8s.Key,
            ["certs.k8saggregator.crt"] = read.K8sAggregator.Crt,
            ["certs.k8saggregator.key"] = read.K8sAggregator.Key,
            ["certs.k8sserviceaccount.key"] = read.K8sServiceAccountKey,
            ["certs.os.crt"] = read.Os.Crt,
            ["certs.os.key"] = read.Os.Key,
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), fields.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, value) in expected)
        {
            Assert.True(fields[path] == value, $"{path} read into the wrong property");
        }

        Assert.Null(read.AescbcEncryptionSecret);
        Assert.Equal(14, expected.Values.Distinct(StringComparer.Ordinal).Count());
        // talosctl's layout: sections in struct order, four-space indents; written again, the same bytes.
        Assert.Equal(["cluster:", "secrets:", "trustdinfo:", "certs:"], run.Out.Split('\n').Where(l => l.Length > 0 && l[0] != ' ').ToArray());
        Assert.All(run.Out.Split('\n').Where(l => l.Length > 0), l => Assert.Equal(0, (l.Length - l.TrimStart(' ').Length) % 4));
        Assert.Equal(run.Out, SecretsBundleWriter.Write(read));

        // And a second one shares nothing with the first.
        var other = BundleGenerator.Generate();
        Assert.Empty(other.Values().Intersect(read.Values(), StringComparer.Ordinal));
    }

    private static Dictionary<string, string> Flatten(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(YamlNode node, string path)
        {
            if (node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    Walk(value, path.Length == 0 ? ((YamlScalarNode)key).Value! : path + "." + ((YamlScalarNode)key).Value);
                }
            }
            else
            {
                result[path] = ((YamlScalarNode)node).Value!;
            }
        }

        Walk(stream.Documents.Single().RootNode, "");
        return result;
    }
}
