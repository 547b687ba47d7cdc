using Ktizo.Core.Inventory;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.ClusterSecrets;

/// <summary>
/// Puts a bundle's values into a role's base config where Talos's <c>gen config</c> puts them
/// (<c>pkg/machinery/config/generate/init.go</c> for control planes, <c>worker.go</c> for workers):
/// <list type="bullet">
/// <item>both roles: <c>machine.token</c> (trustd token), <c>cluster.id</c>, <c>cluster.secret</c>,
/// <c>cluster.token</c> (bootstrap token);</item>
/// <item>control plane: <c>machine.ca</c> and <c>cluster.ca</c> with their keys, the encryption secret
/// (<c>cluster.secretboxEncryptionSecret</c>, or <c>aescbcEncryptionSecret</c> for an AES-CBC bundle),
/// <c>cluster.aggregatorCA</c>, <c>cluster.serviceAccount</c>, <c>cluster.etcd.ca</c>;</item>
/// <item>worker: <c>machine.ca</c> and <c>cluster.ca</c> with the certificate only (key empty), nothing else:
/// a worker gets no CA private key.</item>
/// </list>
/// A key the base already has is replaced where it stands; a missing one goes after its predecessors in Talos's
/// field order, so the output reads like Talos's own. The base's nodes are never changed: the mappings on the
/// way to a value are copied.
/// </summary>
public static class SecretsPlacement
{
    // Talos's field order (v1alpha1 MachineConfig and ClusterConfig), up to the fields placed here.
    private static readonly string[] MachineOrder = ["type", "token", "ca"];
    private static readonly string[] ClusterOrder =
    [
        "id", "secret", "controlPlane", "clusterName", "network", "token", "aescbcEncryptionSecret", "secretboxEncryptionSecret",
        "ca", "acceptedCAs", "aggregatorCA", "serviceAccount", "apiServer", "controllerManager", "proxy", "scheduler", "discovery", "etcd",
    ];

    private static readonly string[] EtcdOrder = ["image", "ca"];

    /// <summary>
    /// <paramref name="documents"/> with the secrets placed in the v1alpha1 document (the one with <c>version</c>
    /// and no <c>kind</c>); the other documents are the same objects. Null when there is no v1alpha1 document.
    /// </summary>
    public static List<YamlDocument>? Apply(IReadOnlyList<YamlDocument> documents, Role role, SecretsBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(bundle);
        var index = -1;
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i].RootNode is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode("version")) && !m.Children.ContainsKey(new YamlScalarNode("kind")))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return null;
        }

        var root = Copy((YamlMappingNode)documents[index].RootNode);
        var machine = Child(root, "machine", ["version", "debug", "persist"]);
        Set(machine, "token", Scalar(bundle.TrustdToken), MachineOrder);
        Set(machine, "ca", role == Role.ControlPlane ? Pair(bundle.Os) : CertificateOnly(bundle.Os), MachineOrder);

        var cluster = Child(root, "cluster", ["version", "debug", "persist", "machine"]);
        Set(cluster, "id", Scalar(bundle.ClusterId), ClusterOrder);
        Set(cluster, "secret", Scalar(bundle.ClusterSecret), ClusterOrder);
        Set(cluster, "token", Scalar(bundle.BootstrapToken), ClusterOrder);
        if (role == Role.ControlPlane)
        {
            if (bundle.SecretboxEncryptionSecret is { } secretbox)
            {
                Set(cluster, "secretboxEncryptionSecret", Scalar(secretbox), ClusterOrder);
            }

            if (bundle.AescbcEncryptionSecret is { } aescbc)
            {
                Set(cluster, "aescbcEncryptionSecret", Scalar(aescbc), ClusterOrder);
            }

            Set(cluster, "ca", Pair(bundle.K8s), ClusterOrder);
            Set(cluster, "aggregatorCA", Pair(bundle.K8sAggregator), ClusterOrder);
            Set(cluster, "serviceAccount", new YamlMappingNode { { "key", Scalar(bundle.K8sServiceAccountKey) } }, ClusterOrder);
            var etcd = Child(cluster, "etcd", ClusterOrder);
            Set(etcd, "ca", Pair(bundle.Etcd), EtcdOrder);
        }
        else
        {
            Set(cluster, "ca", CertificateOnly(bundle.K8s), ClusterOrder);
        }

        var result = new List<YamlDocument>(documents);
        result[index] = new YamlDocument(root);
        return result;
    }

    private static YamlScalarNode Scalar(string value) => new(value);

    private static YamlMappingNode Pair(CertificateAndKey pair) => new() { { "crt", Scalar(pair.Crt) }, { "key", Scalar(pair.Key) } };

    // As Talos writes a worker's CAs: the certificate, and an empty key.
    private static YamlMappingNode CertificateOnly(CertificateAndKey pair) => new() { { "crt", Scalar(pair.Crt) }, { "key", Scalar("") } };

    private static YamlMappingNode Copy(YamlMappingNode mapping)
    {
        var copy = new YamlMappingNode { Style = mapping.Style, Tag = mapping.Tag };
        foreach (var (key, value) in mapping.Children)
        {
            copy.Children.Add(key, value);
        }

        return copy;
    }

    /// <summary>A copy of the child mapping <paramref name="key"/> (a new one when absent or not a mapping), set into <paramref name="parent"/>.</summary>
    private static YamlMappingNode Child(YamlMappingNode parent, string key, string[] order)
    {
        var child = parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode existing
            ? Copy(existing)
            : new YamlMappingNode();
        Set(parent, key, child, order);
        return child;
    }

    private static void Set(YamlMappingNode mapping, string key, YamlNode value, string[] order)
    {
        var keyNode = new YamlScalarNode(key);
        var children = mapping.Children;
        if (children.ContainsKey(keyNode))
        {
            children[keyNode] = value;
            return;
        }

        // After the last key present that Talos writes before this one; first when there is none.
        var before = order.TakeWhile(k => k != key).ToHashSet(StringComparer.Ordinal);
        var at = 0;
        var i = 0;
        foreach (var existing in children.Keys)
        {
            i++;
            if (existing is YamlScalarNode { Value: { } name } && before.Contains(name))
            {
                at = i;
            }
        }

        children.Insert(at, keyNode, value);
    }
}
