using System.Diagnostics;
using System.Security.Cryptography;
using Ktizo.Core.Inventory;
using Ktizo.Core.Templates;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using Scriban;
using Scriban.Runtime;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Bench;

/// <summary>`parts N`: time and bytes allocated per device for each step of a render, single-threaded.</summary>
public static class PartCosts
{
    public static void Run(int devices)
    {
        var tree = GeneratedInventory.Create(devices, GeneratedInventory.FindRepositoryRoot());
        var diagnostics = new Ktizo.Core.Validation.Diagnostics();
        var cluster = InventoryReader.ReadCluster(tree, diagnostics)!;
        var (approved, _, _) = InventoryReader.ReadDevices(tree, cluster, diagnostics);
        var templates = TemplateSet.Load(tree, diagnostics);
        var model = TemplateModel.ForCluster(cluster);

        for (var round = 0; round < 3; round++)
        {
            // Alternate roles between rounds: control-plane nodes have one more patch (the VIP).
            var worker = approved.First(d => d.Role == (round % 2 == 0 ? Role.Worker : Role.ControlPlane));
            var patches = templates.PatchesFor(worker)!;
            var outputs = patches.Select(p => Render(p.Template, worker, model)).ToArray();
            var parsed = outputs.Select((o, i) => YamlDocuments.Parse(o, patches[i].Path, out _)).ToArray();
            var merged = Clone(templates.Base(worker.Role)!.Documents);
            for (var i = 0; i < parsed.Length; i++)
            {
                StrategicMerge.Apply(merged, parsed[i], patches[i].Path);
            }

            var bytes = YamlWriter.Write(merged);
            Measure("clone base", approved.Count, () => Clone(templates.Base(worker.Role)!.Documents));
            Measure("render patches", approved.Count, () =>
            {
                foreach (var p in patches)
                {
                    Render(p.Template, worker, model);
                }
            });
            for (var i = 0; i < outputs.Length; i++)
            {
                var (text, path) = (outputs[i], patches[i].Path);
                Measure($"parse {Path.GetFileName(path)} ({text.Length} chars)", approved.Count, () => YamlDocuments.Parse(text, path, out _));
                Measure(SimpleBlockYaml.TryParse(text) is null ? "  fast path: falls back to YamlDotNet" : "  fast path", approved.Count, () => SimpleBlockYaml.TryParse(text));
            }

            var baseTemplate = templates.Base(worker.Role)!;
            Measure("merge all onto the shared base", approved.Count, () =>
            {
                var docs = new List<YamlDocument>(baseTemplate.Documents);
                for (var i = 0; i < parsed.Length; i++)
                {
                    StrategicMerge.Apply(docs, parsed[i], patches[i].Path, baseTemplate.SharedNodes);
                }
            });
            Measure("device model", approved.Count, () => TemplateModel.ForDevice(worker));
            var renderer = new Ktizo.Core.Rendering.DeviceRenderer(templates, cluster, Ktizo.Core.Rendering.RenderLimits.Default, CancellationToken.None);
            Measure("whole device (DeviceRenderer.Render)", approved.Count, () => renderer.Render(worker, "key", []));
            Measure("write", approved.Count, () => YamlWriter.Write(merged));
            Measure("sha256", approved.Count, () => SHA256.HashData(bytes));
            Console.WriteLine();
        }
    }

    private static List<YamlDocument> Clone(IReadOnlyList<YamlDocument> documents) => YamlClone.Deep(documents);

    private static TemplateContext? s_context;

    private static string Render(Template template, Device device, ScriptObject cluster)
    {
        if (s_context is null)
        {
            s_context = new TemplateContext { StrictVariables = true, MemberRenamer = m => m.Name };
            var functions = new ScriptObject();
            functions.Import("quote", new Func<object?, string>(TemplateModel.Quote));
            s_context.PushGlobal(functions);
        }

        s_context.PushGlobal(new ScriptObject { ["device"] = TemplateModel.ForDevice(device), ["cluster"] = cluster });
        s_context.PushGlobal(new ScriptObject());
        try
        {
            return template.Render(s_context);
        }
        finally
        {
            s_context.PopGlobal();
            s_context.PopGlobal();
        }
    }

    private static void Measure(string name, int count, Action action)
    {
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            action();
        }

        var elapsed = clock.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"{name,-40} {elapsed.TotalMicroseconds / count,8:0.0} µs {allocated / count,9:N0} B per device");
    }
}
