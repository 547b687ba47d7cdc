using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Testing;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Rendering;

/// <summary>
/// The renderer's side of the schema check (<see cref="IConfigSchemas"/>), with a stand-in schema: the real ones live
/// in Ktizo.Schema and are tested there and through the CLI.
/// </summary>
public class SchemaPortTests
{
    [Fact]
    public void Render_WhenTheClustersTalosMinorHasNoSchema_FailsNamingTheSupportedOnes()
    {
        var schemas = new OneMinor("v1.13", new CountingSchema());
        var tree = ExampleRepository.Load();
        tree.Add("inventory/cluster.yaml", File.ReadAllText(Path.Combine(ExampleRepository.Root, "inventory/cluster.yaml")).Replace("talosVersion: v1.13.9", "talosVersion: v1.14.0", StringComparison.Ordinal));

        var result = Renderer.Render(tree, schemas: schemas);

        Assert.Null(result.Set);
        var error = Assert.Single(result.Errors);
        Assert.Equal("unsupported-talos-version", error.Code);
        Assert.Equal(("inventory/cluster.yaml", 7), (error.Location.File, error.Location.Line));
        Assert.Contains("talosVersion v1.14.0 has no Talos config schema in this Ktizo; supported: v1.13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithASchema_ChecksEveryDeviceAndFailsOnWhatItReports()
    {
        var schema = new CountingSchema { Refuse = "worker-02" };

        var result = Renderer.Render(ExampleRepository.Load(), schemas: new OneMinor("v1.13", schema));

        Assert.Equal(5, schema.Checked);
        Assert.Null(result.Set);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("test-schema", "inventory/devices/worker-02.yaml"), (error.Code, error.Location.File));
    }

    [Fact]
    public void Render_WithoutSchemas_ChecksNoneAndTakesAnyVersion()
    {
        var tree = ExampleRepository.Load();
        tree.Add("inventory/cluster.yaml", File.ReadAllText(Path.Combine(ExampleRepository.Root, "inventory/cluster.yaml")).Replace("v1.13.9", "v1.99.0", StringComparison.Ordinal));

        Assert.True(Renderer.Render(tree).IsValid);
    }

    private sealed class OneMinor(string minor, IConfigSchema schema) : IConfigSchemas
    {
        public string Supported => minor;

        public IConfigSchema? For(string talosVersion) => talosVersion.StartsWith(minor + ".", StringComparison.Ordinal) ? schema : null;
    }

    private sealed class CountingSchema : IConfigSchema
    {
        private int _checked;

        public string? Refuse { get; init; }

        public int Checked => _checked;

        public void Check(IReadOnlyList<YamlDocument> documents, Device device, List<Diagnostic> errors)
        {
            Interlocked.Increment(ref _checked);
            Assert.NotEmpty(documents);
            if (device.Hostname == Refuse)
            {
                errors.Add(new Diagnostic("test-schema", "refused", new SourceLocation(device.File, 1, 1)));
            }
        }
    }
}
