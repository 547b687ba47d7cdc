using System.Text;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Yaml;

/// <summary>Small helpers so each test reads as config, patch, expected output.</summary>
internal static class YamlKit
{
    public static List<YamlDocument> Docs(string text)
    {
        var documents = YamlDocuments.Parse(text, "test.yaml", out var errors);
        Assert.Empty(errors);
        return [.. documents];
    }

    public static string Text(IReadOnlyList<YamlDocument> documents) => Encoding.UTF8.GetString(YamlWriter.Write(documents));

    /// <summary>Applies each patch in turn to <paramref name="config"/>; returns the written result and every diagnostic.</summary>
    /// <remarks>
    /// Every merge test also runs the copy-on-write way the renderer uses (the config's nodes shared, not
    /// copied): it must give the same output and diagnostics, and leave the shared nodes as they were.
    /// </remarks>
    public static (string Output, List<Diagnostic> Diagnostics) Merge(string config, params string[] patches) =>
        MergeFor(null, config, patches);

    /// <summary><see cref="Merge"/> with the rules of Talos <paramref name="talosVersion"/> (null: the default minor's).</summary>
    public static (string Output, List<Diagnostic> Diagnostics) MergeFor(string? talosVersion, string config, params string[] patches)
    {
        var documents = Docs(config);
        var diagnostics = new List<Diagnostic>();
        foreach (var patch in patches)
        {
            diagnostics.AddRange(StrategicMerge.Apply(documents, Docs(patch), "patch.yaml", talosVersion: talosVersion));
        }

        var output = Text(documents);

        var original = Docs(config);
        var before = Text(original);
        var shared = StrategicMerge.SharedNodes(original);
        var onShared = new List<YamlDocument>(original);
        var sharedDiagnostics = new List<Diagnostic>();
        foreach (var patch in patches)
        {
            sharedDiagnostics.AddRange(StrategicMerge.Apply(onShared, Docs(patch), "patch.yaml", shared, talosVersion));
        }

        Assert.Equal(output, Text(onShared));
        Assert.Equal(diagnostics, sharedDiagnostics);
        Assert.Equal(before, Text(original));
        return (output, diagnostics);
    }

    /// <summary>Merge that must succeed.</summary>
    public static string Merged(string config, params string[] patches)
    {
        var (output, diagnostics) = Merge(config, patches);
        Assert.Empty(diagnostics);
        return output;
    }

    /// <summary>A config in Talos's layout of this project's own writing (tests/Ktizo.Testing/TalosShaped/).</summary>
    public static string TalosShapedConfig(string file) => Ktizo.Testing.TalosShaped.ReadText(file);

    /// <summary>A config Talos generated, from the official material (never copied into this repository).</summary>
    public static string TalosExample(string pathUnderExamples) => Ktizo.Testing.TalosReference.ReadText("examples/" + pathUnderExamples);
}
