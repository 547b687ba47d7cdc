using Ktizo.Core.Boot;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Tests.Boot;

/// <summary>Talos's default kernel arguments per release (pkg/machinery/kernel/kernel.go and imager/quirks/quirks.go at each tag).</summary>
public class TalosKernelArgsTests
{
    private const string Common = "init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on";

    [Theory]
    [InlineData("v1.9.5", Common + " ima_template=ima-ng ima_appraise=fix ima_hash=sha512")]
    [InlineData("v1.10.7", Common + " ima_template=ima-ng ima_appraise=fix ima_hash=sha512 selinux=1")]
    [InlineData("v1.11.6", Common + " selinux=1")]
    [InlineData("v1.12.0", Common + " selinux=1 module.sig_enforce=1")]
    [InlineData("v1.12.11", Common + " selinux=1 module.sig_enforce=1")]
    [InlineData("v1.13.9", Common + " selinux=1 module.sig_enforce=1 proc_mem.force_override=never")]
    [InlineData("v1.13.0-beta.1", Common + " selinux=1 module.sig_enforce=1 proc_mem.force_override=never")]
    public void For_ARelease_GivesItsDefaultsAndNothingElse(string version, string expected)
    {
        var args = TalosKernelArgs.For(version, new ClusterBoot(HaltIfInstalled: false));

        Assert.Equal(expected, string.Join(' ', args));
    }

    [Theory]
    [InlineData("v1.13.9", true)]
    [InlineData("v1.8.0", true)]
    [InlineData("v1.7.6", false)] // Talos before 1.8 does not know the argument (quirks.SupportsHaltIfInstalled).
    public void For_WithHaltIfInstalled_EndsWithItWhereTheReleaseKnowsIt(string version, bool expected)
    {
        var args = TalosKernelArgs.For(version, ClusterBoot.Default);

        Assert.Equal(expected, args[^1] == "talos.halt_if_installed=1");
        Assert.DoesNotContain("talos.halt_if_installed=1", TalosKernelArgs.For(version, new ClusterBoot(HaltIfInstalled: false)));
    }

    [Fact]
    public void For_AVersionThatDoesNotParse_IsTheNewest() =>
        Assert.Equal(TalosKernelArgs.For(TalosKernelArgs.Newest, ClusterBoot.Default), TalosKernelArgs.For("main", ClusterBoot.Default));

    [Fact]
    public void BootScript_WithAReleasesArgs_PutsThemOnTheKernelLineBeforeTheConfigUrl()
    {
        var script = BootScript.Render(new Uri("http://10.0.5.2:8000"), TalosKernelArgs.For("v1.13.9", ClusterBoot.Default));

        Assert.Contains(
            "talos.platform=metal " + Common + " selinux=1 module.sig_enforce=1 proc_mem.force_override=never talos.halt_if_installed=1 talos.config=http://10.0.5.2:8000/api/v1/config/download?",
            script,
            StringComparison.Ordinal);
        Assert.DoesNotContain("ima_", script, StringComparison.Ordinal);
    }
}
