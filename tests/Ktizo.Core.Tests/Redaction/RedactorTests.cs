using System.Text;
using Ktizo.Core.Redaction;
using Ktizo.Core.Rendering;
using Ktizo.Core.Yaml;
using Ktizo.Testing.Redaction;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Redaction;

public sealed class RedactorTests
{
    public static TheoryData<string> Versions => ["v1.11.6", "v1.12.11", "v1.13.2", "v1.13.9", "v1.14.0"];

    [Theory]
    [MemberData(nameof(Versions))]
    public void Redact_EveryValueOfTheTable_ShowsNoneOfThem(string version)
    {
        var table = RedactionTable.For(version);
        var patch = SecretPatch.For(table.Rules);

        var text = Secrets.Redact(Encoding.UTF8.GetBytes(patch.Yaml), table);

        Assert.Equal(table.Rules.Count, patch.Secrets.Count);
        foreach (var secret in patch.Secrets)
        {
            Assert.Contains(secret, patch.Yaml, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal(table.Rules.Count, Count(text, Redactor.Mask));
        Assert.DoesNotContain("SECRET-", text, StringComparison.Ordinal);
        Assert.Contains(SecretPatch.OtherQueryParameter, text, StringComparison.Ordinal);
        Assert.All(patch.Kinds, kind => Assert.Contains($"kind: {kind}\n", text, StringComparison.Ordinal));
    }

    [Fact]
    public void Redact_TheThreeReportedLeaks_AtTheClustersVersion_HidesThem()
    {
        const string Config = """
            apiVersion: v1alpha1
            kind: WireguardConfig
            name: wg0
            privateKey: SECRET-wg-private-key-1
            ---
            apiVersion: v1alpha1
            kind: RegistryAuthConfig
            name: registry.example.com
            username: robot
            password: SECRET-registry-password-1
            ---
            apiVersion: v1alpha1
            kind: VolumeConfig
            name: EPHEMERAL
            encryption:
                provider: luks2
                keys:
                    - slot: 0
                      static:
                          passphrase: SECRET-volume-passphrase-1
            """;

        var text = Secrets.Redact(Encoding.UTF8.GetBytes(Config), "v1.13.9");

        Assert.DoesNotContain("SECRET-wg-private-key-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-registry-password-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-volume-passphrase-1", text, StringComparison.Ordinal);
        Assert.Equal(3, Count(text, Redactor.Mask));
        Assert.Contains("username: robot", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_LeavesEveryValueButTheSecretsAsTheyWere()
    {
        const string Config = """
            version: v1alpha1
            machine:
                type: controlplane
                token: SECRET-machine-token
                ca:
                    crt: not-secret-machine-ca-crt
                    key: SECRET-machine-ca-key
                registries:
                    config:
                        registry.example.com:
                            auth:
                                username: robot
                                password: SECRET-registry-password
                            tls:
                                insecureSkipVerify: false
                                clientIdentity:
                                    crt: not-secret-client-crt
                                    key: SECRET-client-key
                network:
                    interfaces:
                        - interface: wg0
                          wireguard:
                              privateKey: SECRET-wg-key
                              listenPort: 51820
                              peers:
                                  - publicKey: not-secret-peer-key
                                    endpoint: 192.0.2.1:51820
                          vlans:
                              - vlanId: 7
                                vip:
                                    ip: 10.0.7.1
                                    hcloud:
                                        apiToken: SECRET-vlan-hcloud-token
                systemDiskEncryption:
                    state:
                        provider: luks2
                        keys:
                            - slot: 0
                              static:
                                  passphrase: SECRET-state-passphrase
                            - slot: 1
                              kms:
                                  endpoint: https://kms.example.com
            cluster:
                clusterName: homelab
                token: SECRET-bootstrap-token
                secretboxEncryptionSecret: SECRET-secretbox
                etcd:
                    ca:
                        crt: not-secret-etcd-crt
                        key: SECRET-etcd-key
            ---
            apiVersion: v1alpha1
            kind: SideroLinkConfig
            apiUrl: https://siderolink.example.com:443/?grpc_tunnel=true&jointoken=SECRET-join&x=1
            ---
            apiVersion: v1alpha1
            kind: WireguardConfig
            name: wg1
            privateKey: SECRET-wg1-key
            listenPort: 51821
            peers:
                - publicKey: not-secret-wg1-peer
                  presharedKey: SECRET-wg1-psk
                  allowedIPs:
                      - 10.9.0.0/16
            ---
            apiVersion: v1alpha1
            kind: HostnameConfig
            auto: "off"
            hostname: cp-01
            """;
        var before = YamlDocuments.Parse(Config, "test", out var errors);
        Assert.Empty(errors);
        var after = YamlClone.Deep(before);

        Redactor.Apply(after, RedactionTable.For("v1.13.9"));

        var changed = new List<string>();
        for (var i = 0; i < before.Count; i++)
        {
            Differences(before[i].RootNode, after[i].RootNode, $"{i}:", changed);
        }

        Assert.Equal(
            [
                "0:machine.token", "0:machine.ca.key", "0:machine.registries.config.registry.example.com.auth.password",
                "0:machine.registries.config.registry.example.com.tls.clientIdentity.key", "0:machine.network.interfaces.0.wireguard.privateKey",
                "0:machine.network.interfaces.0.vlans.0.vip.hcloud.apiToken", "0:machine.systemDiskEncryption.state.keys.0.static.passphrase",
                "0:cluster.token", "0:cluster.secretboxEncryptionSecret", "0:cluster.etcd.ca.key", "1:apiUrl", "2:privateKey", "2:peers.0.presharedKey",
            ],
            changed);
        var text = Encoding.UTF8.GetString(YamlWriter.Write(after));
        Assert.DoesNotContain("SECRET-", text, StringComparison.Ordinal);
        Assert.Contains("apiUrl: https://siderolink.example.com:443/?grpc_tunnel=true&jointoken=******&x=1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_AtARelease_BeforeTalosRedactedAField_StillHidesIt()
    {
        const string Config = "apiVersion: v1alpha1\nkind: VolumeConfig\nname: STATE\nencryption:\n    keys:\n        - slot: 0\n          static:\n              passphrase: not-redacted-by-v1.13.2\n";

        // Talos v1.13.2 itself prints it (RedactionTable.For); what people read hides it all the same.
        Assert.DoesNotContain(RedactionTable.For("v1.13.2").Rules, r => r.Document == "v1alpha1/VolumeConfig");
        Assert.DoesNotContain("not-redacted-by-v1.13.2", Secrets.Redact(Encoding.UTF8.GetBytes(Config), "v1.13.2"), StringComparison.Ordinal);
        Assert.DoesNotContain("not-redacted-by-v1.13.2", Secrets.Redact(Encoding.UTF8.GetBytes(Config), "v1.13.3"), StringComparison.Ordinal);
        Assert.DoesNotContain("not-redacted-by-v1.13.2", Secrets.Redact(Encoding.UTF8.GetBytes(Config)), StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_EmptyAndNullSecrets_StayEmptyAndAMisshapenOneIsHiddenWhole()
    {
        const string Config = "apiVersion: v1alpha1\nkind: RegistryAuthConfig\nname: r\npassword: \"\"\nauth: null\nidentityToken:\n    nested: SECRET-in-a-mapping\n";

        var text = Secrets.Redact(Encoding.UTF8.GetBytes(Config), "v1.13.9");

        Assert.DoesNotContain("SECRET-in-a-mapping", text, StringComparison.Ordinal);
        Assert.Equal(1, Count(text, Redactor.Mask));
        Assert.Contains("auth: null", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_ADocumentOfAnotherKindWithTheSameKeys_IsLeftAlone()
    {
        const string Config = "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nprivateKey: not-a-secret-here\n";

        Assert.Contains("privateKey: not-a-secret-here", Secrets.Redact(Encoding.UTF8.GetBytes(Config), "v1.13.9"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://h/?jointoken=s3cret", "https://h/?jointoken=******")]
    [InlineData("https://h/?a=1&jointoken=s3cret&b=2", "https://h/?a=1&jointoken=******&b=2")]
    [InlineData("https://h/?join%74oken=s3cret", "https://h/?join%74oken=******")]
    [InlineData("https://h/?JoinToken=s3cret;jointoken=again", "https://h/?JoinToken=******;jointoken=******")]
    [InlineData("https://h/?jointoken", "https://h/?jointoken=******")]
    [InlineData("https://h/?jointoken=a=b", "https://h/?jointoken=******")]
    [InlineData("https://h/path", "https://h/path")]
    [InlineData("https://h/?token=kept", "https://h/?token=kept")]
    public void MaskQuery_ReplacesEverySpellingOfTheParameter(string url, string expected)
    {
        Assert.Equal(expected, Redactor.MaskQuery(url, "jointoken"));
    }

    private static int Count(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static void Differences(YamlNode a, YamlNode b, string path, List<string> changed)
    {
        switch (a, b)
        {
            case (YamlMappingNode ma, YamlMappingNode mb):
                Assert.Equal(ma.Children.Keys, mb.Children.Keys);
                foreach (var (key, value) in ma.Children)
                {
                    Differences(value, mb.Children[key], $"{path}{(path.EndsWith(':') ? string.Empty : ".")}{key}", changed);
                }

                break;
            case (YamlSequenceNode sa, YamlSequenceNode sb):
                Assert.Equal(sa.Children.Count, sb.Children.Count);
                for (var i = 0; i < sa.Children.Count; i++)
                {
                    Differences(sa.Children[i], sb.Children[i], $"{path}.{i}", changed);
                }

                break;
            case (YamlScalarNode x, YamlScalarNode y):
                if (x.Value != y.Value)
                {
                    Assert.Equal(Redactor.Mask, y.Value?.Replace("https://siderolink.example.com:443/?grpc_tunnel=true&jointoken=******&x=1", Redactor.Mask, StringComparison.Ordinal));
                    changed.Add(path);
                }

                break;
            default:
                changed.Add(path + " (shape)");
                break;
        }
    }
}
