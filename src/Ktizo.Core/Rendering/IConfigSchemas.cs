using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Talos's config schema per Talos version: every rendered config is checked against the one of the cluster's
/// <c>talosVersion</c>. A port, so the core stays free of the schema library: Ktizo.Schema implements it and
/// the CLI and the gatekeeper pass it to <see cref="Renderer.Render(Files.IFileTree, RenderedSet?, IConfigSchemas?)"/>.
/// </summary>
public interface IConfigSchemas
{
    /// <summary>The schema for <paramref name="talosVersion"/> (e.g. <c>v1.13.9</c>), or null when none is known for it.</summary>
    IConfigSchema? For(string talosVersion);

    /// <summary>What an unknown version's error names, e.g. <c>v1.11, v1.12, v1.13</c>.</summary>
    string Supported { get; }
}

/// <summary>One Talos version's schema. Thread-safe: the renderer checks devices in parallel.</summary>
public interface IConfigSchema
{
    /// <summary>Adds one diagnostic per violation in <paramref name="documents"/>, the merged config of <paramref name="device"/>.</summary>
    void Check(IReadOnlyList<YamlDocument> documents, Device device, List<Diagnostic> errors);
}
