using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rendering;

/// <summary>
/// A render that reuses the served set (parsed device files, rendered bytes) must equal a full render of the
/// same tree, byte for byte, whatever changed in between: the caches may save work, never change an answer.
/// </summary>
public class IncrementalRenderTests
{
    private const string Worker01 = "inventory/devices/worker-01.yaml";
    private const string GpuPatch = "templates/patches/extra/gpu.yaml";

    [Fact]
    public void Render_AcrossASeriesOfCommits_IncrementalEqualsFullRender()
    {
        var tree = ExampleRepository.Load();
        var served = Renderer.Render(tree).Set!;
        var worker01 = Text(tree, Worker01);
        var gpuPatch = Text(tree, GpuPatch);
        var worker02 = Text(tree, "inventory/devices/worker-02.yaml");

        var steps = new (string Change, Action Apply, bool Valid)[]
        {
            ("device file edited", () => tree.Add(Worker01, worker01.Replace("10.0.5.21/24", "10.0.5.31/24", StringComparison.Ordinal)), true),
            ("cluster default changed", () => tree.Add(InventoryReader.ClusterFile, Text(tree, InventoryReader.ClusterFile).Replace("/dev/sda", "/dev/vda", StringComparison.Ordinal)), true),
            ("base template changed", () => tree.Add("templates/base/worker.yaml", Text(tree, "templates/base/worker.yaml").Replace("debug: false", "debug: true", StringComparison.Ordinal)), true),
            ("patch changed", () => tree.Add(GpuPatch, gpuPatch + "\n# changed\n"), true),
            ("patch for every device added", () => tree.Add("templates/patches/all/90-extra.yaml", "machine:\n    nodeLabels:\n        extra: \"yes\"\n"), true),
            ("nothing changed", () => { }, true),
            ("device deleted", () => tree.Remove("inventory/devices/cp-03.yaml"), true),
            ("device renamed", () => tree.Remove("inventory/devices/worker-02.yaml").Add("inventory/devices/gpu-02.yaml", worker02), true),
            ("invalid device file", () => tree.Add(Worker01, worker01.Replace("10.0.5.21/24", "10.0.5.21", StringComparison.Ordinal)), false),
            ("patch a device names deleted", () => tree.Add(Worker01, worker01).Remove(GpuPatch), false),
            ("patch restored", () => tree.Add(GpuPatch, gpuPatch), true),
            ("cluster file invalid", () => tree.Add(InventoryReader.ClusterFile, "name: Not A Label\n"), false),
            ("cluster file restored", () => tree.Add(InventoryReader.ClusterFile, Text(ExampleRepository.Load(), InventoryReader.ClusterFile)), true),
            ("device rejected", () => tree.Add(Worker01, "mac: 52:54:00:00:05:21\nstatus: rejected\n"), true),
            ("device approved again, other MAC in the same file", () => tree.Add(Worker01, worker01.Replace("05:21", "05:41", StringComparison.Ordinal)), true),
            ("duplicate MAC in a new file", () => tree.Add("inventory/devices/copy.yaml", Text(tree, Worker01).Replace("worker-01", "copy", StringComparison.Ordinal).Replace("10.0.5.21", "10.0.5.51", StringComparison.Ordinal)), false),
            ("duplicate removed", () => tree.Remove("inventory/devices/copy.yaml"), true),
        };

        foreach (var (change, apply, valid) in steps)
        {
            apply();
            var incremental = Renderer.Render(tree, served);
            var full = Renderer.Render(tree);

            Assert.True(valid == full.IsValid, $"{change}: full render valid = {full.IsValid}");
            Assert.True(valid == incremental.IsValid, $"{change}: incremental render valid = {incremental.IsValid}");
            Assert.Equal(full.Errors.Select(e => e.ToString()), incremental.Errors.Select(e => e.ToString()));
            if (valid)
            {
                AssertSameSet(full.Set!, incremental.Set!, change);
                served = incremental.Set!;
            }
        }
    }

    [Fact]
    public void Render_WhenOneDeviceFileChanges_ReadsOnlyThatDeviceFile()
    {
        var tree = new CountingTree(ExampleRepository.Load());
        var before = Renderer.Render(tree).Set!;
        tree.Inner.Add(Worker01, Text(tree.Inner, Worker01).Replace("10.0.5.21/24", "10.0.5.31/24", StringComparison.Ordinal));
        tree.DeviceReads.Clear();

        var after = Renderer.Render(tree, before);

        Assert.True(after.IsValid);
        Assert.Equal([Worker01], tree.DeviceReads);
        Assert.Same(before.ParsedFiles["inventory/devices/cp-01.yaml"], after.Set!.ParsedFiles["inventory/devices/cp-01.yaml"]);
    }

    [Fact]
    public void Render_WhenTheClusterFileChanges_ReadsEveryDeviceFileAgain()
    {
        var tree = new CountingTree(ExampleRepository.Load());
        var before = Renderer.Render(tree).Set!;
        tree.Inner.Add(InventoryReader.ClusterFile, Text(tree.Inner, InventoryReader.ClusterFile) + "\n");
        tree.DeviceReads.Clear();

        var after = Renderer.Render(tree, before);

        Assert.True(after.IsValid);
        Assert.Equal(6, tree.DeviceReads.Count);
    }

    private static void AssertSameSet(RenderedSet expected, RenderedSet actual, string change)
    {
        Assert.True(Manifest.Write(expected).AsSpan().SequenceEqual(Manifest.Write(actual).AsSpan()), $"{change}: manifests differ");
        Assert.Equal(expected.Approved.Keys.Order(), actual.Approved.Keys.Order());
        foreach (var (mac, config) in expected.Approved)
        {
            Assert.True(config.Yaml.AsSpan().SequenceEqual(actual.Approved[mac].Yaml), $"{change}: bytes of {mac} differ");
            Assert.Equal(config.Sha256, actual.Approved[mac].Sha256);
            Assert.Equal(Describe(config.Device), Describe(actual.Approved[mac].Device));
        }

        Assert.Equal(expected.Rejected.OrderBy(p => p.Key), actual.Rejected.OrderBy(p => p.Key));
        Assert.Equal(expected.DeviceFiles, actual.DeviceFiles);
        Assert.Equal(expected.ParsedFiles.Keys.Order(StringComparer.Ordinal), actual.ParsedFiles.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Records compare lists by reference; this compares their items.</summary>
    private static string Describe(Device d) =>
        $"{d with { Nameservers = [], Labels = new Dictionary<string, string>(), Patches = [] }} {string.Join(',', d.Nameservers)} "
        + $"{string.Join(',', d.Labels.Select(l => l.Key + "=" + l.Value))} {string.Join(',', d.Patches)}";

    private static string Text(IFileTree tree, string path) => System.Text.Encoding.UTF8.GetString(tree.Read(path)!.Content.Span);

    /// <summary>Counts which device files are read in full; ids are answered without a read, as a git tree does.</summary>
    private sealed class CountingTree(InMemoryFileTree inner) : IFileTree
    {
        public InMemoryFileTree Inner { get; } = inner;

        public List<string> DeviceReads { get; } = [];

        public string? Commit => Inner.Commit;

        public IReadOnlyList<string> ListFiles(string directory) => Inner.ListFiles(directory);

        public IReadOnlyList<string> ListFilesRecursive(string directory) => Inner.ListFilesRecursive(directory);

        public TreeFile? Read(string path)
        {
            if (path.StartsWith(InventoryReader.DevicesDirectory + "/", StringComparison.Ordinal))
            {
                DeviceReads.Add(path);
            }

            return Inner.Read(path);
        }

        public string? FileId(string path) => Inner.FileId(path);
    }
}
