using Ktizo.Core.ClusterSecrets;

namespace Ktizo.Core.Tests.ClusterSecrets;

public class SecretsBundleReaderTests
{
    private static readonly SecretsBundle P = PlaceholderSecrets.Bundle;

    /// <summary>Written by hand with the field names of Talos's Bundle (lower-cased Go names, as talosctl writes them).</summary>
    private static string HandWritten() => $"""
        cluster:
            id: {P.ClusterId}
            secret: {P.ClusterSecret}
        secrets:
            bootstraptoken: {P.BootstrapToken}
            secretboxencryptionsecret: {P.SecretboxEncryptionSecret}
        trustdinfo:
            token: {P.TrustdToken}
        certs:
            etcd:
                crt: {P.Etcd.Crt}
                key: {P.Etcd.Key}
            k8s:
                crt: {P.K8s.Crt}
                key: {P.K8s.Key}
            k8saggregator:
                crt: {P.K8sAggregator.Crt}
                key: {P.K8sAggregator.Key}
            k8sserviceaccount:
                key: {P.K8sServiceAccountKey}
            os:
                crt: {P.Os.Crt}
                key: {P.Os.Key}

        """;

    [Fact]
    public void Read_HandWrittenTalosctlLayout_ReadsEveryField()
    {
        var bundle = SecretsBundleReader.Read(HandWritten(), "secrets.yaml", out var errors);

        Assert.Empty(errors);
        Assert.NotNull(bundle);
        Assert.Equal(P.ClusterId, bundle.ClusterId);
        Assert.Equal(P.BootstrapToken, bundle.BootstrapToken);
        Assert.Equal(P.TrustdToken, bundle.TrustdToken);
        Assert.Equal(P.Os, bundle.Os);
        Assert.Equal(P.K8sServiceAccountKey, bundle.K8sServiceAccountKey);
        Assert.Null(bundle.AescbcEncryptionSecret);
        Assert.False(bundle.IsPlaceholder);
    }

    [Fact]
    public void Write_ThenRead_GivesTheSameBundleAndText()
    {
        var text = SecretsBundleWriter.Write(P);

        Assert.Equal(HandWritten(), text);
        var again = SecretsBundleReader.ReadOrThrow(text, "secrets.yaml");
        Assert.Equal(text, SecretsBundleWriter.Write(again));
        Assert.Equal(P.Fingerprint, again.Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", again.Fingerprint);
    }

    [Fact]
    public void Read_WhenAFieldIsMissing_NamesItWithItsSection()
    {
        var text = HandWritten().Replace($"    id: {P.ClusterId}\n", "", StringComparison.Ordinal);

        Assert.Null(SecretsBundleReader.Read(text, "s.yaml", out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("secrets-bundle", error.Code);
        Assert.Equal("s.yaml", error.Location.File);
        Assert.Equal(2, error.Location.Line);
        Assert.Contains("cluster.id is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bootstraptoken", "secrets.bootstraptoken must be a token", 5)]
    [InlineData("secretboxencryptionsecret", "secrets.secretboxencryptionsecret must be base64 of 32 bytes", 6)]
    public void Read_WhenAValueHasTheWrongShape_SaysWhereAndNeverQuotesIt(string field, string expected, int line)
    {
        var bad = "Not-A-Valid-Value.With.Dots!";
        var text = System.Text.RegularExpressions.Regex.Replace(HandWritten(), $"(?m)^    {field}: .*$", $"    {field}: {bad}");

        Assert.Null(SecretsBundleReader.Read(text, "s.yaml", out var errors));

        var error = Assert.Single(errors);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Location.Line);
        Assert.DoesNotContain(bad, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenACertificateIsNotPem_SaysWhichOne()
    {
        var text = HandWritten().Replace(P.K8sAggregator.Crt, P.K8sAggregator.Key, StringComparison.Ordinal);

        Assert.Null(SecretsBundleReader.Read(text, "s.yaml", out var errors));

        var error = Assert.Single(errors);
        Assert.Contains("certs.k8saggregator.crt must be base64 of a PEM certificate", error.Message, StringComparison.Ordinal);
        Assert.Equal(17, error.Location.Line);
    }

    [Fact]
    public void Read_WithBothOrNeitherEncryptionSecret_IsAnError()
    {
        var neither = HandWritten().Replace($"    secretboxencryptionsecret: {P.SecretboxEncryptionSecret}\n", "", StringComparison.Ordinal);
        var both = HandWritten().Replace("    secretboxencryptionsecret:", $"    aescbcencryptionsecret: {P.SecretboxEncryptionSecret}\n    secretboxencryptionsecret:", StringComparison.Ordinal);

        Assert.Null(SecretsBundleReader.Read(neither, "s.yaml", out var e1));
        Assert.Null(SecretsBundleReader.Read(both, "s.yaml", out var e2));
        Assert.Contains("exactly one of", Assert.Single(e1).Message, StringComparison.Ordinal);
        Assert.Contains("exactly one of", Assert.Single(e2).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WithACamelCaseField_SaysTheNamesAreLowerCase()
    {
        var text = HandWritten().Replace("bootstraptoken:", "bootstrapToken:", StringComparison.Ordinal);

        Assert.Null(SecretsBundleReader.Read(text, "s.yaml", out var errors));

        Assert.Contains(errors, e => e.Message.Contains("secrets.bootstrapToken is not a field", StringComparison.Ordinal) && e.Location.Line == 5);
        Assert.Contains(errors, e => e.Message.Contains("secrets.bootstraptoken is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NotYaml_SaysWhereWithoutQuotingTheText()
    {
        var text = "cluster:\n    id: \"unterminated SECRETVALUE\n";

        var ex = Assert.Throws<KtizoException>(() => SecretsBundleReader.ReadOrThrow(text, "s.yaml"));

        Assert.Contains("s.yaml", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETVALUE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverPrintsAValue()
    {
        var text = P.ToString() + P.Os.ToString() + (P with { IsPlaceholder = false }).ToString();

        foreach (var value in P.Values())
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }
}
