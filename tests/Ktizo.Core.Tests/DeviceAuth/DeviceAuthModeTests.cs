using System.Text;
using Ktizo.Core.DeviceAuth;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.DeviceAuth;

/// <summary><c>deviceAuth:</c> in cluster.yaml is every device's mode; a device file overrides it; a change is never lost to reuse.</summary>
public class DeviceAuthModeTests
{
    private const string Worker01 = "inventory/devices/worker-01.yaml";
    private static readonly MacAddress Worker01Mac = MacAddress.Parse("52:54:00:00:05:21");
    private static readonly MacAddress Cp01Mac = MacAddress.Parse("52:54:00:00:05:11");

    [Fact]
    public void Render_WithoutDeviceAuth_IsOffForEveryDevice()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;

        Assert.Equal(DeviceAuthMode.Off, set.Cluster.DeviceAuth);
        Assert.All(set.Approved.Values, c => Assert.Equal(DeviceAuthMode.Off, c.Device.DeviceAuth));
    }

    [Fact]
    public void Render_ClusterConfirm_DeviceFileFirst_ResolvesPerDevice()
    {
        var tree = ExampleRepository.Load();
        tree.Add(InventoryReader.ClusterFile, Text(tree, InventoryReader.ClusterFile) + "deviceAuth: confirm\n");
        tree.Add(Worker01, Text(tree, Worker01) + "deviceAuth: first\n");

        var result = Renderer.Render(tree);

        Assert.Empty(result.Errors);
        Assert.Equal(DeviceAuthMode.First, result.Set!.Approved[Worker01Mac].Device.DeviceAuth);
        Assert.Equal(DeviceAuthMode.Confirm, result.Set.Approved[Cp01Mac].Device.DeviceAuth);
    }

    [Fact]
    public void Render_OnlyTheModeChanged_TheNextSetCarriesTheNewMode()
    {
        var tree = ExampleRepository.Load();
        var served = Renderer.Render(tree).Set!;
        tree.Add(Worker01, Text(tree, Worker01) + "deviceAuth: confirm\n");

        var next = Renderer.Render(tree, served).Set!;

        Assert.Equal(DeviceAuthMode.Confirm, next.Approved[Worker01Mac].Device.DeviceAuth);
        Assert.Equal(served.Approved[Worker01Mac].Sha256, next.Approved[Worker01Mac].Sha256); // the bytes are the same
    }

    [Fact]
    public void Render_OnlyTheRearmChanged_TheNextSetCarriesTheNewValue_TheBytesStay()
    {
        var tree = ExampleRepository.Load();
        tree.Add(Worker01, Text(tree, Worker01) + "deviceAuth: first\ndeviceAuthRearm: 2026-12-01 disk swap\n");
        var served = Renderer.Render(tree).Set!;
        Assert.Equal("2026-12-01 disk swap", served.Approved[Worker01Mac].Device.DeviceAuthRearm);
        Assert.Null(served.Approved[Cp01Mac].Device.DeviceAuthRearm);
        tree.Add(Worker01, Text(tree, Worker01).Replace("2026-12-01 disk swap", "2026-12-05 reinstall", StringComparison.Ordinal));

        var next = Renderer.Render(tree, served).Set!;

        Assert.Equal("2026-12-05 reinstall", next.Approved[Worker01Mac].Device.DeviceAuthRearm);
        Assert.Equal(served.Approved[Worker01Mac].Sha256, next.Approved[Worker01Mac].Sha256);
    }

    private static string Text(InMemoryFileTree tree, string path) => Encoding.UTF8.GetString(tree.Read(path)!.Content.Span);
}
