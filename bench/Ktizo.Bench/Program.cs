using BenchmarkDotNet.Running;
using Ktizo.Bench;

// `quick N`: one timed render of N generated devices, for a fast look without BenchmarkDotNet's statistics.
if (args is ["quick", var count])
{
    var tree = GeneratedInventory.Create(int.Parse(count), GeneratedInventory.FindRepositoryRoot());
    for (var run = 0; run < 3; run++)
    {
        var result = Ktizo.Core.Rendering.Renderer.Render(tree);
        Console.WriteLine($"{count} devices: {result.Stats.Elapsed.TotalMilliseconds:0} ms, valid={result.IsValid} {string.Join("; ", result.Errors.Take(3))}");
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

BenchmarkSwitcher.FromAssembly(typeof(RenderBenchmarks).Assembly).Run(args);
