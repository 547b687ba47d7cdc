using Ktizo.Core.Drift;

namespace Ktizo.Core.Tests.Drift;

/// <summary>
/// The apply mode Talos's CanApplyImmediate implies (docs/drift.md, "Which mode"): no-reboot only when every changed
/// part is one the machine's Talos leaves out of its comparison, as <see cref="LiveApplyTable"/> lists them.
/// </summary>
public sealed class ApplyModeAdviceTests
{
    private const string Base = """
        version: v1alpha1
        machine:
            type: worker
            install:
                disk: /dev/sda
            kubelet:
                extraArgs:
                    max-pods: "110"
            files:
                - path: /var/etc/motd
                  permissions: 0o644
                  op: create
                  content: hello
            features:
                kubePrism:
                    enabled: true
                diskQuotaSupport: true
        cluster:
            clusterName: homelab
        ---
        apiVersion: v1alpha1
        kind: LinkConfig
        name: net0
        mtu: 1500

        """;

    private const string Sysctl = "    sysctls:\n        vm.swappiness: \"1\"\n";

    public static TheoryData<string, (string From, string To)[], string, string[], string[]> Cases => new()
    {
        { "a sysctl", [("    type: worker\n", "    type: worker\n" + Sysctl)], ApplyModeAdvice.NoReboot, ["machine.sysctls"], [] },
        { "the install disk", [("disk: /dev/sda", "disk: /dev/nvme0n1")], ApplyModeAdvice.NoReboot, ["machine.install"], [] },
        { "kubelet extraArgs", [("max-pods: \"110\"", "max-pods: \"250\"")], ApplyModeAdvice.NoReboot, ["machine.kubelet"], [] },
        { "kernel modules", [("    type: worker\n", "    type: worker\n    kernel:\n        modules:\n            - name: nvidia\n")], ApplyModeAdvice.NoReboot, ["machine.kernel"], [] },
        { "the cluster name", [("clusterName: homelab", "clusterName: lab")], ApplyModeAdvice.NoReboot, ["cluster"], [] },
        { "kubePrism", [("enabled: true", "enabled: false")], ApplyModeAdvice.NoReboot, ["machine.features.kubePrism"], [] },
        { "a LinkConfig document", [("mtu: 1500", "mtu: 9000")], ApplyModeAdvice.NoReboot, ["document LinkConfig/net0"], [] },
        {
            "a new UserVolumeConfig document",
            [("mtu: 1500\n", "mtu: 1500\n---\napiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\n")],
            ApplyModeAdvice.NoReboot, ["document UserVolumeConfig/data"], []
        },
        { "a machine file", [("content: hello", "content: bye")], ApplyModeAdvice.Reboot, ["machine.files"], ["machine.files"] },
        { "the machine type", [("type: worker", "type: controlplane")], ApplyModeAdvice.Reboot, ["machine.type"], ["machine.type"] },
        { "udev rules", [("    type: worker\n", "    type: worker\n    udev:\n        rules: [\"# none\"]\n")], ApplyModeAdvice.Reboot, ["machine.udev"], ["machine.udev"] },
        { "a feature not on the list", [("diskQuotaSupport: true", "diskQuotaSupport: false")], ApplyModeAdvice.Reboot, ["machine.features.diskQuotaSupport"], ["machine.features.diskQuotaSupport"] },
        { "debug", [("version: v1alpha1\n", "version: v1alpha1\ndebug: true\n")], ApplyModeAdvice.NoReboot, ["debug"], [] },
        {
            "a sysctl and a machine file",
            [("    type: worker\n", "    type: worker\n" + Sysctl), ("content: hello", "content: bye")],
            ApplyModeAdvice.Reboot, ["machine.files", "machine.sysctls"], ["machine.files"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Advise_AChange_TheModeTalosWouldTake(string change, (string From, string To)[] edits, string mode, string[] changed, string[] needReboot)
    {
        var after = edits.Aggregate(Base, (text, edit) => Replace(text, edit.From, edit.To));

        var advice = ApplyModeAdvice.Advise(Base, after, "v1.13.9");

        Assert.True(mode == advice.Mode, $"{change}: {advice.Mode}");
        Assert.Equal(changed, advice.Changed);
        Assert.Equal(needReboot, advice.NeedReboot);
        Assert.Equal("Talos v1.13", advice.Rule);
        Assert.Null(advice.RuleNote);
    }

    [Fact]
    public void Advise_AddingTheWholeFeaturesBlock_Reboot()
    {
        // Talos copies the live features only when both configs have machine.features.
        var without = Replace(Base, "    features:\n        kubePrism:\n            enabled: true\n        diskQuotaSupport: true\n", string.Empty);
        var withPrism = Replace(without, "    type: worker\n", "    type: worker\n    features:\n        kubePrism:\n            enabled: true\n");

        var advice = ApplyModeAdvice.Advise(without, withPrism, "v1.13.9");

        Assert.Equal(ApplyModeAdvice.Reboot, advice.Mode);
        Assert.Equal(["machine.features"], advice.NeedReboot);
        Assert.Equal(["machine.features", "machine.features.kubePrism"], advice.Changed);
    }

    [Fact]
    public void Advise_OnlyTheKeyOrderOfAMappingDiffers_NothingChanged()
    {
        var reordered = Replace(Base, "          permissions: 0o644\n          op: create\n", "          op: create\n          permissions: 0o644\n");

        var advice = ApplyModeAdvice.Advise(Base, reordered, "v1.13.9");

        Assert.NotEqual(Base, reordered);
        Assert.Empty(advice.Changed);
        Assert.Equal(ApplyModeAdvice.NoReboot, advice.Mode);
    }

    [Theory]
    [InlineData("v1.11.6", "Talos v1.11")]
    [InlineData("v1.12.3", "Talos v1.12")]
    public void Advise_AnOlderSupportedTalos_UsesItsOwnTable(string version, string rule)
    {
        var advice = ApplyModeAdvice.Advise(Base, Replace(Base, "disk: /dev/sda", "disk: /dev/vda"), version);

        Assert.Equal(ApplyModeAdvice.NoReboot, advice.Mode);
        Assert.Equal(rule, advice.Rule);
        Assert.Null(advice.RuleNote);
    }

    [Fact]
    public void Advise_AnUnknownTalos_FollowsTheNewestTableAndSaysSo()
    {
        var advice = ApplyModeAdvice.Advise(Base, Replace(Base, "content: hello", "content: bye"), "v2.0.0");

        Assert.Equal(ApplyModeAdvice.Reboot, advice.Mode);
        Assert.Equal("Talos v1.13", advice.Rule);
        Assert.Equal("Talos v2.0 has no apply-mode table here; the apply mode follows Talos v1.13's rule, the newest Ktizo knows.", advice.RuleNote);
    }

    [Fact]
    public void Advise_TheSameConfig_NothingChanged()
    {
        var advice = ApplyModeAdvice.Advise(Base, Base, "v1.13.9");

        Assert.Equal(ApplyModeAdvice.NoReboot, advice.Mode);
        Assert.Empty(advice.Changed);
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal); // an edit that matches nothing would test nothing
        return text.Replace(from, to, StringComparison.Ordinal);
    }
}
