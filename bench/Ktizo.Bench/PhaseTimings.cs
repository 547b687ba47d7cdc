using System.Diagnostics;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Templates;
using Ktizo.Core.Validation;

namespace Ktizo.Bench;

/// <summary>
/// `phases N`: where a render's time goes, single-threaded, to find what to make faster. Each phase
/// shows wall time, this thread's CPU time (steadier than wall time on a loaded machine) and bytes allocated.
/// </summary>
public static class PhaseTimings
{
    public static void Run(int devices)
    {
        var tree = GeneratedInventory.Create(devices, GeneratedInventory.FindRepositoryRoot());
        for (var run = 0; run < 3; run++)
        {
            var phases = new List<string>();
            var mark = Mark.Now();
            string Phase(string name)
            {
                var now = Mark.Now();
                var text = $"{name} {(now.Wall - mark.Wall).TotalMilliseconds:0}/{(now.Cpu - mark.Cpu).TotalMilliseconds:0} ms {(now.Allocated - mark.Allocated) / 1e6:0} MB";
                mark = now;
                return text;
            }

            var diagnostics = new Ktizo.Core.Validation.Diagnostics();
            var cluster = InventoryReader.ReadCluster(tree, diagnostics)!;
            var (approved, _, sources) = InventoryReader.ReadDevices(tree, cluster, diagnostics);
            phases.Add(Phase("read"));
            InventoryRules.Check(sources, cluster, diagnostics);
            phases.Add(Phase("rules"));
            var templates = TemplateSet.Load(tree, diagnostics);
            phases.Add(Phase("templates"));
            var renderer = new DeviceRenderer(templates, cluster, RenderLimits.Default, CancellationToken.None);
            var errors = new List<Diagnostic>();
            var merged = 0;
            foreach (var device in approved)
            {
                merged += renderer.Merge(device, errors) is null ? 0 : 1;
            }

            phases.Add(Phase("merge"));
            foreach (var device in approved)
            {
                _ = renderer.Render(device, "key", errors);
            }

            phases.Add(Phase("render (merge+write+hash)"));
            Console.WriteLine($"{devices} devices, one thread, wall/cpu: {string.Join(", ", phases)} ({merged} ok, {errors.Count} errors)");
        }
    }

    private readonly record struct Mark(TimeSpan Wall, TimeSpan Cpu, long Allocated)
    {
        private static readonly Stopwatch Clock = Stopwatch.StartNew();

        public static Mark Now() => new(Clock.Elapsed, ThreadCpu.Now(), GC.GetAllocatedBytesForCurrentThread());
    }
}
