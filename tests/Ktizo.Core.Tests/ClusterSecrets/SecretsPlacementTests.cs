using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Rendering;
using Ktizo.Core.Yaml;
using Ktizo.Testing;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.ClusterSecrets;

public class SecretsPlacementTests
{
    private static readonly SecretsBundle Bundle = PlaceholderSecrets.Bundle with
    {
        // A bundle other than the placeholder, so that a placeholder leaking in would show.
        ClusterId = Convert.ToBase64String(new byte[32]),
        BootstrapToken = "abcdef.0123456789abcdef",
        TrustdToken = "ghijkl.0123456789abcdef",
        IsPlaceholder = false,
    };

    private static YamlMappingNode Config(string mac)
    {
        var result = Renderer.Render(ExampleRepository.Load(), secrets: Bundle);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.False(result.Set!.PlaceholderSecrets);
        Assert.Equal(Bundle.Fingerprint, result.Set.SecretsFingerprint);
        var yaml = System.Text.Encoding.UTF8.GetString(result.Set.Approved[MacAddress.Parse(mac)].Yaml);
        var documents = YamlDocuments.Parse(yaml, "rendered", out var errors);
        Assert.Empty(errors);
        return (YamlMappingNode)documents[0].RootNode;
    }

    private static string? At(YamlMappingNode root, string path)
    {
        YamlNode node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(part), out var child))
            {
                return null;
            }

            node = child;
        }

        return ((YamlScalarNode)node).Value;
    }

    [Fact]
    public void Render_ControlPlane_CarriesEveryValueWhereTalosGenConfigPutsIt()
    {
        var root = Config("52:54:00:00:05:11");

        Assert.Equal(Bundle.TrustdToken, At(root, "machine.token"));
        Assert.Equal(Bundle.Os.Crt, At(root, "machine.ca.crt"));
        Assert.Equal(Bundle.Os.Key, At(root, "machine.ca.key"));
        Assert.Equal(Bundle.ClusterId, At(root, "cluster.id"));
        Assert.Equal(Bundle.ClusterSecret, At(root, "cluster.secret"));
        Assert.Equal(Bundle.BootstrapToken, At(root, "cluster.token"));
        Assert.Equal(Bundle.SecretboxEncryptionSecret, At(root, "cluster.secretboxEncryptionSecret"));
        Assert.Equal(Bundle.K8s.Crt, At(root, "cluster.ca.crt"));
        Assert.Equal(Bundle.K8s.Key, At(root, "cluster.ca.key"));
        Assert.Equal(Bundle.K8sAggregator.Crt, At(root, "cluster.aggregatorCA.crt"));
        Assert.Equal(Bundle.K8sAggregator.Key, At(root, "cluster.aggregatorCA.key"));
        Assert.Equal(Bundle.K8sServiceAccountKey, At(root, "cluster.serviceAccount.key"));
        Assert.Equal(Bundle.Etcd.Crt, At(root, "cluster.etcd.ca.crt"));
        Assert.Equal(Bundle.Etcd.Key, At(root, "cluster.etcd.ca.key"));
    }

    [Fact]
    public void Render_Worker_GetsCertificatesAndTokensButNoPrivateKey()
    {
        var root = Config("52:54:00:00:05:21");

        Assert.Equal(Bundle.TrustdToken, At(root, "machine.token"));
        Assert.Equal(Bundle.Os.Crt, At(root, "machine.ca.crt"));
        Assert.Equal("", At(root, "machine.ca.key"));
        Assert.Equal(Bundle.ClusterId, At(root, "cluster.id"));
        Assert.Equal(Bundle.ClusterSecret, At(root, "cluster.secret"));
        Assert.Equal(Bundle.BootstrapToken, At(root, "cluster.token"));
        Assert.Equal(Bundle.K8s.Crt, At(root, "cluster.ca.crt"));
        Assert.Equal("", At(root, "cluster.ca.key"));
        Assert.Null(At(root, "cluster.secretboxEncryptionSecret"));
        Assert.Null(At(root, "cluster.aggregatorCA.key"));
        Assert.Null(At(root, "cluster.serviceAccount.key"));
        Assert.Null(At(root, "cluster.etcd.ca.key"));
        var text = root.ToString();
        foreach (var key in new[] { Bundle.Os.Key, Bundle.K8s.Key, Bundle.K8sAggregator.Key, Bundle.Etcd.Key, Bundle.K8sServiceAccountKey })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_WithoutABundle_UsesPlaceholdersAndSaysSo()
    {
        var result = Renderer.Render(ExampleRepository.Load());

        Assert.True(result.IsValid);
        Assert.True(result.Set!.PlaceholderSecrets);
        Assert.Equal(PlaceholderSecrets.Bundle.Fingerprint, result.Set.SecretsFingerprint);
    }

    [Fact]
    public void Render_WhenTheBundleChanges_RendersEveryDeviceAgain()
    {
        var tree = ExampleRepository.Load();
        var first = Renderer.Render(tree, secrets: Bundle);
        var same = Renderer.Render(tree, first.Set, secrets: Bundle);
        var other = Renderer.Render(tree, first.Set, secrets: Bundle with { ClusterSecret = Convert.ToBase64String(new byte[32]) });

        Assert.Equal(0, same.Stats.Rendered);
        Assert.Equal(first.Set!.Approved.Count, other.Stats.Rendered);
        Assert.Equal(0, other.Stats.Reused);
    }
}
