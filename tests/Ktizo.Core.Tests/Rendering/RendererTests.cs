using System.Text;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rendering;

public class RendererTests
{
    [Fact]
    public void Render_SameInputsTwice_GivesTheSameBytes()
    {
        var first = Renderer.Render(ExampleRepository.Load()).Set!;
        var second = Renderer.Render(ExampleRepository.Load()).Set!;

        Assert.Equal(first.Approved.Keys.Order(), second.Approved.Keys.Order());
        foreach (var (mac, config) in first.Approved)
        {
            Assert.Equal(config.Yaml, second.Approved[mac].Yaml);
            Assert.Equal(config.Sha256, second.Approved[mac].Sha256);
        }

        Assert.Equal(Manifest.Write(first), Manifest.Write(second));
    }

    [Fact]
    public void Render_ExampleDevice_CarriesItsHostnameAddressRouteAndDisk()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;
        var text = Encoding.UTF8.GetString(set.Approved[MacAddress.Parse("52:54:00:00:05:13")].Yaml);

        Assert.Contains("hostname: cp-03", text, StringComparison.Ordinal);
        Assert.Contains("10.0.5.13/24", text, StringComparison.Ordinal);
        Assert.Contains("gateway: \"10.0.5.1\"", text, StringComparison.Ordinal);
        Assert.Contains("disk: /dev/nvme0n1", text, StringComparison.Ordinal);
        Assert.Contains("endpoint: https://10.0.5.10:6443", text, StringComparison.Ordinal);
        Assert.DoesNotContain("auto: stable", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DeviceWithoutOptionalValues_InheritsClusterDefaults()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;
        var device = set.Approved[MacAddress.Parse("52:54:00:00:05:21")].Device;

        Assert.Equal("/dev/sda", device.InstallDisk);
        Assert.Equal("10.0.5.1", device.Gateway?.ToString());
        Assert.Equal(["10.0.5.1", "1.1.1.1"], device.Nameservers);
    }

    [Fact]
    public void Render_RejectedDevice_IsKnownButGetsNoConfig()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;
        var mac = MacAddress.Parse("52:54:00:00:05:99");

        Assert.Equal(DeviceStatus.Rejected, set.StatusOf(mac));
        Assert.False(set.Approved.ContainsKey(mac));
        Assert.Equal(DeviceStatus.Pending, set.StatusOf(MacAddress.Parse("52:54:00:ff:ff:ff")));
    }

    [Fact]
    public void Render_WhenOneDeviceFileChanges_RendersOnlyThatDevice()
    {
        var tree = ExampleRepository.Load();
        var before = Renderer.Render(tree).Set!;
        tree.Add("inventory/devices/worker-01.yaml", "mac: 52:54:00:00:05:21\nhostname: worker-01\nrole: worker\nip: 10.0.5.31/24\n");

        var after = Renderer.Render(tree, before);

        Assert.True(after.IsValid);
        Assert.Equal(1, after.Stats.Rendered);
        Assert.Equal(4, after.Stats.Reused);
        Assert.Contains("10.0.5.31/24", Encoding.UTF8.GetString(after.Set!.Approved[MacAddress.Parse("52:54:00:00:05:21")].Yaml), StringComparison.Ordinal);
        Assert.Same(before.Approved[MacAddress.Parse("52:54:00:00:05:11")], after.Set.Approved[MacAddress.Parse("52:54:00:00:05:11")]);
    }

    [Fact]
    public void Render_WhenATemplateChanges_RendersEveryDeviceItApplies()
    {
        var tree = ExampleRepository.Load();
        var before = Renderer.Render(tree).Set!;
        tree.Add("templates/patches/worker/10-extra.yaml", "machine:\n    nodeLabels:\n        tier: general\n");

        var after = Renderer.Render(tree, before);

        Assert.Equal(2, after.Stats.Rendered);
        Assert.Equal(3, after.Stats.Reused);
    }

    [Fact]
    public void Render_DeviceOwnPatch_AppliesAfterRoleAndCommonPatches()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;
        var text = Encoding.UTF8.GetString(set.Approved[MacAddress.Parse("52:54:00:00:05:22")].Yaml);

        Assert.Contains("- name: nvidia", text, StringComparison.Ordinal);
        Assert.Contains("name: enp3s0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LinkAliasConfig", text, StringComparison.Ordinal);
    }
}
