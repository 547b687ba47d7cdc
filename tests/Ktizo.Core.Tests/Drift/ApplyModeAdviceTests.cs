using Ktizo.Core.Drift;

namespace Ktizo.Core.Tests.Drift;

/// <summary>The apply mode docs/drift.md promises: no-reboot only when every changed part is applied live.</summary>
public sealed class ApplyModeAdviceTests
{
    private const string Base = """
        version: v1alpha1
        machine:
            type: worker
            install:
                disk: /dev/sda
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

    [Fact]
    public void Advise_SysctlsClusterAndALinkDocument_NoReboot()
    {
        var after = Base.Replace("    type: worker\n", "    type: worker\n    sysctls:\n        vm.swappiness: \"1\"\n", StringComparison.Ordinal)
            .Replace("clusterName: homelab", "clusterName: lab", StringComparison.Ordinal)
            .Replace("mtu: 1500", "mtu: 9000", StringComparison.Ordinal);

        var advice = ApplyModeAdvice.Advise(Base, after);

        Assert.Equal(ApplyModeAdvice.NoReboot, advice.Mode);
        Assert.Equal(["cluster", "document LinkConfig/net0", "machine.sysctls"], advice.Changed);
        Assert.Empty(advice.NeedReboot);
    }

    [Theory]
    [InlineData("disk: /dev/sda", "disk: /dev/nvme0n1", "machine.install")]
    [InlineData("diskQuotaSupport: true", "diskQuotaSupport: false", "machine.features.diskQuotaSupport")]
    [InlineData("    type: worker\n", "    type: worker\n    kernel:\n        modules:\n            - name: nvidia\n", "machine.kernel")]
    [InlineData("mtu: 1500\n", "mtu: 1500\n---\napiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\n", "document UserVolumeConfig/data")]
    public void Advise_APartThatNeedsAReboot_Reboot(string from, string to, string part)
    {
        var advice = ApplyModeAdvice.Advise(Base, Base.Replace(from, to, StringComparison.Ordinal));

        Assert.Equal(ApplyModeAdvice.Reboot, advice.Mode);
        Assert.Equal([part], advice.NeedReboot);
    }

    [Fact]
    public void Advise_TheSameConfig_NothingChanged()
    {
        var advice = ApplyModeAdvice.Advise(Base, Base);

        Assert.Equal(ApplyModeAdvice.NoReboot, advice.Mode);
        Assert.Empty(advice.Changed);
    }
}
