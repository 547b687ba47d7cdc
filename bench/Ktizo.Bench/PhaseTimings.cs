using System.Diagnostics;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Templates;
using Ktizo.Core.Validation;

namespace Ktizo.Bench;

/// <summary>`phases N`: where a render's time goes, single-threaded, to find what to make faster.</summary>
public static class PhaseTimings
{
    public static void Run(int devices)
    {
        var tree = GeneratedInventory.Create(devices, GeneratedInventory.FindRepositoryRoot());
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var diagnostics = new Ktizo.Core.Validation.Diagnostics();
            var cluster = InventoryReader.ReadCluster(tree, diagnostics)!;
            var (approved, _, sources) = InventoryReader.ReadDevices(tree, cluster, diagnostics);
            var read = clock.Elapsed;
            InventoryRules.Check(sources, cluster, diagnostics);
            var rules = clock.Elapsed;
            var templates = TemplateSet.Load(tree, diagnostics);
            var load = clock.Elapsed;
            var renderer = new DeviceRenderer(templates, cluster);
            var errors = new List<Diagnostic>();
            var merged = 0;
            foreach (var device in approved)
            {
                merged += renderer.Merge(device, errors) is null ? 0 : 1;
            }

            var merge = clock.Elapsed;
            foreach (var device in approved)
            {
                var documents = renderer.Merge(device, errors)!;
                _ = Ktizo.Core.Yaml.YamlWriter.Write(documents);
            }

            var mergeAndWrite = clock.Elapsed - merge;
            Console.WriteLine($"{devices} devices, one thread: read {read.TotalMilliseconds:0} ms, rules {(rules - read).TotalMilliseconds:0}, templates {(load - rules).TotalMilliseconds:0}, merge {(merge - load).TotalMilliseconds:0}, merge+write {mergeAndWrite.TotalMilliseconds:0} ({merged} ok, {errors.Count} errors)");
        }
    }
}
