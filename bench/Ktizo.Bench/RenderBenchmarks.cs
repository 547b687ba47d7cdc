using BenchmarkDotNet.Attributes;
using Ktizo.Core.Files;
using Ktizo.Core.Rendering;

namespace Ktizo.Bench;

/// <summary>Issue 2's figures: a full render of 1, 1,000 and 10,000 devices, and the re-render after a one-device commit.</summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private InMemoryFileTree _tree = null!;
    private RenderedSet _previous = null!;
    private int _revision;

    [Params(1, 1_000, 10_000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tree = GeneratedInventory.Create(Devices, GeneratedInventory.FindRepositoryRoot());
        var result = Renderer.Render(_tree);
        _previous = result.Set ?? throw new InvalidOperationException(string.Join('\n', result.Errors));
    }

    [Benchmark]
    public RenderResult FullRender() => Renderer.Render(_tree);

    /// <summary>One device file changes (as a commit that edits it would); only that device is rendered again.</summary>
    [Benchmark]
    public RenderResult OneDeviceChanged()
    {
        // Both revisions differ from the base set (revision 0), so every call renders exactly one device;
        // hosts 60000 and 60001 (10.0.234.96-97) collide with no generated device.
        _revision = _revision == 59980 ? 59981 : 59980;
        _tree.Add("inventory/devices/node-00000.yaml", GeneratedInventory.Device(0, _revision));
        var result = Renderer.Render(_tree, _previous);
        if (result.Stats.Rendered != 1)
        {
            throw new InvalidOperationException($"expected one device rendered, got {result.Stats.Rendered}: {string.Join('\n', result.Errors)}");
        }

        // The next commit is compared with this one, as the gatekeeper does.
        _previous = result.Set!;
        return result;
    }
}
