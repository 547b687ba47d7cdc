using BenchmarkDotNet.Running;
using Ktizo.Bench;

// `quick N`: one timed render of N generated devices, for a fast look without BenchmarkDotNet's statistics.
if (args is ["quick", var count])
{
    var tree = GeneratedInventory.Create(int.Parse(count), GeneratedInventory.FindRepositoryRoot());
    for (var run = 0; run < 3; run++)
    {
        // CPU time of the whole process and bytes allocated by every thread: steadier than wall time on a shared machine.
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var result = Ktizo.Core.Rendering.Renderer.Render(tree);
        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine($"{count} devices: {result.Stats.Elapsed.TotalMilliseconds:0} ms, cpu {cpu.TotalMilliseconds:0} ms, {allocated / 1e6:0} MB allocated, valid={result.IsValid} {string.Join("; ", result.Errors.Take(3))}");
    }

    return;
}

if (args is ["parts", var m])
{
    PartCosts.Run(int.Parse(m));
    return;
}

if (args is ["phases", var n])
{
    PhaseTimings.Run(int.Parse(n));
    return;
}

// `store-growth N`: bytes of the store per invented MAC (docs/benchmarks.md, §8).
if (args is ["store-growth", var macs])
{
    await StoreGrowth.RunAsync(int.Parse(macs));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(RenderBenchmarks).Assembly).Run(args);
