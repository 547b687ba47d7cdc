using Ktizo.Core.ClusterSecrets;

namespace Ktizo.Testing;

/// <summary>
/// The example's base templates with a bundle's values written into the text where <c>talosctl gen config</c>
/// writes them (Talos's field order; workers get the CA certificates with empty keys), as a repository made
/// before the bundle holds them. Only lines are added, so taking them out again must give the example's
/// text back byte for byte. The values come from the caller (a bundle generated at test time): no key is kept.
/// </summary>
public static class TemplatesWithSecrets
{
    public static string ControlPlane(SecretsBundle b) =>
        File.ReadAllText(Path.Combine(ExampleRepository.Root, "templates", "base", "controlplane.yaml"))
            .InsertAfter("    type: controlplane\n", $"""
                    token: {b.TrustdToken} # trustd's join token
                    ca:
                        crt: {b.Os.Crt}
                        key: {b.Os.Key}

                """)
            .InsertAfter("cluster:\n", $"""
                    id: {b.ClusterId}
                    secret: {b.ClusterSecret}

                """)
            .InsertBefore("    apiServer:\n", $"""
                    token: {b.BootstrapToken}
                    secretboxEncryptionSecret: {b.SecretboxEncryptionSecret}
                    ca:
                        crt: {b.K8s.Crt}
                        key: {b.K8s.Key}
                    aggregatorCA:
                        crt: {b.K8sAggregator.Crt}
                        key: {b.K8sAggregator.Key}
                    serviceAccount:
                        key: {b.K8sServiceAccountKey}

                """)
            .InsertBefore("---\n", $"""
                    etcd:
                        # the PKI's root for etcd's peers and clients
                        ca:
                            crt: {b.Etcd.Crt}
                            key: {b.Etcd.Key}

                """);

    public static string Worker(SecretsBundle b) =>
        File.ReadAllText(Path.Combine(ExampleRepository.Root, "templates", "base", "worker.yaml"))
            .InsertAfter("    type: worker\n", $"""
                    token: {b.TrustdToken}
                    ca:
                        crt: {b.Os.Crt}
                        key: ""

                """)
            .InsertAfter("cluster:\n", $"""
                    id: {b.ClusterId}
                    secret: {b.ClusterSecret}

                """)
            .InsertBefore("    discovery:\n", $"""
                    token: {b.BootstrapToken}
                    ca:
                        crt: {b.K8s.Crt}
                        key: ""

                """);

    /// <summary>Writes both into the repository at <paramref name="root"/> (a copy of the example).</summary>
    public static void WriteTo(string root, SecretsBundle bundle)
    {
        File.WriteAllText(Path.Combine(root, "templates", "base", "controlplane.yaml"), ControlPlane(bundle));
        File.WriteAllText(Path.Combine(root, "templates", "base", "worker.yaml"), Worker(bundle));
    }

    private static string InsertAfter(this string text, string anchor, string lines) => text.Insert(Single(text, anchor) + anchor.Length, lines);

    private static string InsertBefore(this string text, string anchor, string lines) => text.Insert(Single(text, anchor), lines);

    private static int Single(string text, string anchor)
    {
        var at = text.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(anchor, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"the example template no longer has exactly one '{anchor.TrimEnd()}' line");
        }

        return at;
    }
}
