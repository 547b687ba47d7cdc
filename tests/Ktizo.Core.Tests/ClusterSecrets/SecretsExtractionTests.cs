using Ktizo.Core.ClusterSecrets;
using System.Text;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.ClusterSecrets;

public class SecretsExtractionTests
{
    // Right-shaped values are all the cutting needs; the CLI tests run it on a freshly generated bundle.
    private static readonly SecretsBundle B = PlaceholderSecrets.Bundle;

    private static string Example(string name) => File.ReadAllText(Path.Combine(ExampleRepository.Root, "templates", "base", name));

    [Fact]
    public void Extract_TalosctlShapedTemplates_GivesTheBundleAndTheTemplatesWithoutIt_ByteForByte()
    {
        var result = SecretsExtraction.Extract(TemplatesWithSecrets.ControlPlane(B), "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors);

        Assert.Empty(errors);
        Assert.NotNull(result);
        Assert.Equal(SecretsBundleWriter.Write(B), SecretsBundleWriter.Write(result.Bundle));
        Assert.Equal(Example("controlplane.yaml"), result.ControlPlane);
        Assert.Equal(Example("worker.yaml"), result.Worker);
    }

    /// <summary>
    /// The migration's proof: a base rendered from the old templates (values in place) and one rendered from the
    /// rewritten templates plus the extracted bundle are the same bytes, for both roles. Patches apply the same
    /// way to equal bases, so every device's config is the same as before.
    /// </summary>
    [Theory]
    [InlineData(Role.ControlPlane)]
    [InlineData(Role.Worker)]
    public void Extract_RenderingTheRewrittenBaseWithTheBundle_GivesTheOldBaseByteForByte(Role role)
    {
        var cp = TemplatesWithSecrets.ControlPlane(B);
        var worker = TemplatesWithSecrets.Worker(B);
        var result = SecretsExtraction.Extract(cp, "cp.yaml", worker, "w.yaml", out _)!;
        var (old, rewritten) = role == Role.ControlPlane ? (cp, result.ControlPlane) : (worker, result.Worker);

        var before = YamlWriter.Write(SecretsPlacement.Apply(YamlDocuments.Parse(old, "old.yaml", out var e1), role, B)!);
        var after = YamlWriter.Write(SecretsPlacement.Apply(YamlDocuments.Parse(rewritten, "new.yaml", out var e2), role, result.Bundle)!);

        Assert.Empty(e1);
        Assert.Empty(e2);
        Assert.Equal(Encoding.UTF8.GetString(before), Encoding.UTF8.GetString(after));
        Assert.Contains(B.Os.Crt, Encoding.UTF8.GetString(after), StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_AescbcBundle_TakesTheAescbcSecret()
    {
        var aescbc = B with { SecretboxEncryptionSecret = null, AescbcEncryptionSecret = B.SecretboxEncryptionSecret };
        var cp = TemplatesWithSecrets.ControlPlane(B).Replace("secretboxEncryptionSecret:", "aescbcEncryptionSecret:", StringComparison.Ordinal);

        var result = SecretsExtraction.Extract(cp, "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors);

        Assert.Empty(errors);
        Assert.Equal(SecretsBundleWriter.Write(aescbc), SecretsBundleWriter.Write(result!.Bundle));
        Assert.Equal(Example("controlplane.yaml"), result.ControlPlane);
    }

    [Fact]
    public void Extract_WorkerWithAnotherToken_RefusesAtTheWorkersLine_WithoutTheValue()
    {
        var worker = TemplatesWithSecrets.Worker(B).Replace(B.BootstrapToken, "abcdef.0123456789abcdef", StringComparison.Ordinal);

        var result = SecretsExtraction.Extract(TemplatesWithSecrets.ControlPlane(B), "cp.yaml", worker, "w.yaml", out var errors);

        Assert.Null(result);
        var error = Assert.Single(errors);
        Assert.Equal("w.yaml", error.Location.File);
        Assert.Equal(LineOf(worker, "    token: abcdef."), error.Location.Line);
        Assert.Contains("cluster.token differs from the control plane's at cp.yaml:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdef.0123456789abcdef", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(B.BootstrapToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ControlPlaneWithoutTheServiceAccountKey_NamesTheFieldAndWhere()
    {
        var cp = TemplatesWithSecrets.ControlPlane(B).Replace($"    serviceAccount:\n        key: {B.K8sServiceAccountKey}\n", "", StringComparison.Ordinal);

        var result = SecretsExtraction.Extract(cp, "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors);

        Assert.Null(result);
        var error = Assert.Single(errors);
        Assert.Contains("cluster.serviceAccount.key is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("cp.yaml", LineOf(cp, "cluster:"), 1), error.Location);
    }

    [Fact]
    public void Extract_BothOrNeitherEncryptionSecret_Refuses()
    {
        var both = TemplatesWithSecrets.ControlPlane(B).Replace(
            "    secretboxEncryptionSecret:", $"    aescbcEncryptionSecret: {B.SecretboxEncryptionSecret}\n    secretboxEncryptionSecret:", StringComparison.Ordinal);

        Assert.Null(SecretsExtraction.Extract(both, "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors));
        Assert.Contains(errors, e => e.Message.Contains("exactly one of cluster.secretboxEncryptionSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_AValueOfTheWrongShape_IsReportedAtTheTemplateField()
    {
        var cp = TemplatesWithSecrets.ControlPlane(B).Replace($"    token: {B.BootstrapToken}", "    token: not-a-token", StringComparison.Ordinal);
        var worker = TemplatesWithSecrets.Worker(B).Replace($"    token: {B.BootstrapToken}", "    token: not-a-token", StringComparison.Ordinal);

        Assert.Null(SecretsExtraction.Extract(cp, "cp.yaml", worker, "w.yaml", out var errors));
        var error = Assert.Single(errors);
        Assert.Equal(new SourceLocation("cp.yaml", LineOf(cp, "    token: not-a-token"), 5), error.Location);
        Assert.Contains("secrets.bootstraptoken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_AFieldInFlowStyleOnItsOwnLine_IsCutWithItsLine()
    {
        var cp = TemplatesWithSecrets.ControlPlane(B).Replace(
            $"    serviceAccount:\n        key: {B.K8sServiceAccountKey}\n", $"    serviceAccount: {{key: {B.K8sServiceAccountKey}}}\n", StringComparison.Ordinal);

        var result = SecretsExtraction.Extract(cp, "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors);

        Assert.Empty(errors);
        Assert.Equal(Example("controlplane.yaml"), result!.ControlPlane);
    }

    [Fact]
    public void Extract_AKeyInsideAFlowMapping_IsRefusedRatherThanCutBadly()
    {
        var cp = TemplatesWithSecrets.ControlPlane(B).Replace(
            $"    etcd:\n        # the PKI's root for etcd's peers and clients\n        ca:\n            crt: {B.Etcd.Crt}\n            key: {B.Etcd.Key}\n",
            $"    etcd: {{image: etcd, ca: {{crt: {B.Etcd.Crt}, key: {B.Etcd.Key}}}}}\n",
            StringComparison.Ordinal);

        Assert.Null(SecretsExtraction.Extract(cp, "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors));
        var error = Assert.Single(errors);
        Assert.StartsWith("cluster.etcd.ca is not on lines of its own", error.Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(cp, "    etcd: {"), error.Location.Line);
    }

    [Fact]
    public void Extract_TemplatesAlreadyWithoutSecrets_SaysSoOnce()
    {
        Assert.Null(SecretsExtraction.Extract(Example("controlplane.yaml"), "cp.yaml", Example("worker.yaml"), "w.yaml", out var errors));
        var error = Assert.Single(errors);
        Assert.Contains("nothing to extract", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_NotYaml_SaysWhereNotWhat()
    {
        Assert.Null(SecretsExtraction.Extract("machine: [\n  token: x", "cp.yaml", TemplatesWithSecrets.Worker(B), "w.yaml", out var errors));
        var error = Assert.Single(errors);
        Assert.Equal("cp.yaml", error.Location.File);
        Assert.Equal("the file is not valid YAML", error.Message);
    }

    private static int LineOf(string text, string start) =>
        text.Split('\n').Select((line, i) => (line, i)).Single(x => x.line.StartsWith(start, StringComparison.Ordinal)).i + 1;
}
