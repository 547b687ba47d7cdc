using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.ClusterSecrets;

/// <summary>Each kind of secret, in each kind of file, fails validation at its file:line:col with secret-in-git.</summary>
public class SecretScanTests
{
    private static readonly SecretsBundle P = PlaceholderSecrets.Bundle;

    /// <summary>(name, the lines to add, the line within them that is reported, its column).</summary>
    public static TheoryData<string, string, int, int> Kinds() => new()
    {
        { "pem", "machine:\n  note: |\n    -----BEGIN EC PRIVATE KEY-----\n", 3, 5 },
        { "pem-base64", $"machine:\n  something: {P.Etcd.Key}\n", 2, 14 },
        { "token", "cluster:\n  token: abcdef.0123456789abcdef\n", 2, 10 },
        { "token-anywhere", "machine:\n  kubelet:\n    extraArgs:\n      bootstrap: \"x abcdef.0123456789abcdef\"\n", 4, 21 },
        { "secretbox", $"cluster:\n  secretboxEncryptionSecret: {P.SecretboxEncryptionSecret}\n", 2, 30 },
        { "cluster-secret", $"cluster:\n  secret: {P.ClusterSecret}\n", 2, 11 },
        { "ca-key", "cluster:\n  ca:\n    crt: abc\n    key: notpembutstillakey\n", 4, 10 },
        { "etcd-ca-key", "cluster:\n  etcd:\n    ca:\n      key: somekey\n", 4, 12 },
        { "passphrase", "machine:\n  systemDiskEncryption:\n    state:\n      keys:\n        - static:\n            passphrase: hunter2hunter2\n", 6, 25 },
    };

    private static readonly string[] Files =
    [
        "templates/base/controlplane.yaml", "templates/patches/all/99-extra.yaml", "inventory/devices/cp-01.yaml", "inventory/cluster.yaml",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Validate_SecretInEachKindOfFile_FailsAtItsPosition(string kind, string lines, int line, int column)
    {
        foreach (var file in Files)
        {
            var tree = ExampleRepository.Load();
            var before = tree.Read(file) is { } existing ? System.Text.Encoding.UTF8.GetString(existing.Content.Span) : "";
            var start = before.TrimEnd('\n').Split('\n').Length;
            // Appended as a document of its own in YAML files so that the rest still parses; the scan reads text.
            var separator = file.StartsWith("templates/", StringComparison.Ordinal) ? "\n---\n" : "\n# end\n";
            start += 1; // the separator's line
            tree.Add(file, System.Text.Encoding.UTF8.GetBytes(before.TrimEnd('\n') + separator + lines));

            var result = Renderer.Render(tree);

            var found = result.Errors.Where(e => e.Code == SecretScan.Code).ToList();
            var error = Assert.Single(found);
            Assert.False(result.IsValid, $"{kind} in {file}");
            Assert.Equal(file, error.Location.File);
            Assert.True(start + line == error.Location.Line, $"{kind} in {file}: line {error.Location.Line}, expected {start + line}");
            Assert.True(column == error.Location.Column, $"{kind} in {file}: column {error.Location.Column}, expected {column}");
            Assert.Contains("secrets bundle", error.Message, StringComparison.Ordinal);
            Assert.Contains("docs/secrets.md", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_Example_HasNoSecretInGit()
    {
        var result = Renderer.Render(ExampleRepository.Load());

        Assert.DoesNotContain(result.Errors, e => e.Code == SecretScan.Code);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("cluster:\n  ca:\n    key: \"\"\n")]
    [InlineData("machine:\n  token: {{ cluster.token }}\n")]
    [InlineData("machine:\n  install:\n    disk: /dev/sda # token: none\n")]
    [InlineData("cluster:\n  apiServer:\n    image: registry.k8s.io/kube-apiserver:v1.34.1\n")]
    [InlineData("machine:\n  network:\n    hostname: node-01.example.com\n")]
    public void Scan_NonSecrets_AreNotReported(string text)
    {
        var diagnostics = new Ktizo.Core.Validation.Diagnostics();

        SecretScan.CheckText("templates/patches/all/x.yaml", text, diagnostics);

        Assert.Empty(diagnostics.Items);
    }

    [Fact]
    public void Scan_Message_NeverQuotesTheSecret()
    {
        var diagnostics = new Ktizo.Core.Validation.Diagnostics();

        SecretScan.CheckText("f.yaml", $"cluster:\n  secret: {P.ClusterSecret}\n  token: abcdef.0123456789abcdef\n  ca:\n    key: {P.K8s.Key}\n", diagnostics);

        Assert.Equal(3, diagnostics.Count);
        var all = string.Join("\n", diagnostics.Items);
        Assert.DoesNotContain(P.ClusterSecret, all, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", all, StringComparison.Ordinal);
        Assert.DoesNotContain(P.K8s.Key, all, StringComparison.Ordinal);
    }
}
