using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using Scriban;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Templates;

/// <summary>
/// Everything under <c>templates/</c>, parsed once per render. The order in which a device's patches
/// apply is fixed here, and documented in docs/inventory.md:
/// <list type="number">
/// <item><c>templates/base/&lt;role&gt;.yaml</c> (plain YAML, as <c>talosctl gen config</c> writes it);</item>
/// <item><c>templates/patches/all/*.yaml</c>, by file name (ordinal);</item>
/// <item><c>templates/patches/&lt;role&gt;/*.yaml</c>, by file name (ordinal);</item>
/// <item>the device's own <c>patches:</c>, in the order listed.</item>
/// </list>
/// Later patches win where they set the same value.
/// </summary>
public sealed class TemplateSet
{
    public const string BaseDirectory = "templates/base";
    public const string PatchesDirectory = "templates/patches";

    private readonly Dictionary<Role, BaseTemplate> _bases;
    private readonly Dictionary<string, PatchTemplate> _patches;
    private readonly Dictionary<Role, PatchTemplate[]> _byRole;

    private TemplateSet(Dictionary<Role, BaseTemplate> bases, Dictionary<string, PatchTemplate> patches)
    {
        _bases = bases;
        _patches = patches;
        var all = Under(patches, $"{PatchesDirectory}/all/");
        _byRole = Enum.GetValues<Role>().ToDictionary(r => r, r => all.Concat(Under(patches, $"{PatchesDirectory}/{r.Name()}/")).ToArray());
    }

    public static bool IsPatchPath(string path) =>
        path.StartsWith(PatchesDirectory + "/", StringComparison.Ordinal)
        && path.EndsWith(".yaml", StringComparison.Ordinal)
        && !path.Split('/').Any(part => part is "" or "." or "..");

    /// <summary>Parses the bases and every patch; each problem becomes a diagnostic, and what failed is left out.</summary>
    public static TemplateSet Load(IFileTree tree, Diagnostics diagnostics)
    {
        var bases = new Dictionary<Role, BaseTemplate>();
        foreach (var role in Enum.GetValues<Role>())
        {
            var path = $"{BaseDirectory}/{role.Name()}.yaml";
            var file = tree.Read(path);
            if (file is null)
            {
                diagnostics.Add("missing-file", $"{path} is missing: the base config for {role.Name()} devices", new SourceLocation(path, 0, 0));
                continue;
            }

            if (!InventoryReader.TryDecode(file, diagnostics, out var text))
            {
                continue;
            }

            var documents = YamlDocuments.Parse(text, path, out var errors);
            diagnostics.AddRange(errors);
            if (errors.Count == 0)
            {
                bases[role] = new BaseTemplate(path, file.Id, documents);
            }
        }

        var patches = new Dictionary<string, PatchTemplate>(StringComparer.Ordinal);
        foreach (var path in tree.ListFilesRecursive(PatchesDirectory))
        {
            if (!path.EndsWith(".yaml", StringComparison.Ordinal))
            {
                continue;
            }

            var file = tree.Read(path)!;
            if (!InventoryReader.TryDecode(file, diagnostics, out var text))
            {
                continue;
            }

            var template = Template.Parse(text, path);
            if (template.HasErrors)
            {
                foreach (var message in template.Messages)
                {
                    diagnostics.Add("template-syntax", message.Message, new SourceLocation(path, message.Span.Start.Line + 1, message.Span.Start.Column + 1));
                }

                continue;
            }

            patches[path] = new PatchTemplate(path, file.Id, template);
        }

        return new TemplateSet(bases, patches);
    }

    public BaseTemplate? Base(Role role) => _bases.GetValueOrDefault(role);

    /// <summary>
    /// The same templates with the cluster's secrets placed in each base (<see cref="SecretsPlacement"/>), once per
    /// render rather than once per device. A base without a v1alpha1 document is reported and left out.
    /// </summary>
    public TemplateSet WithSecrets(SecretsBundle secrets, Diagnostics diagnostics)
    {
        var bases = new Dictionary<Role, BaseTemplate>();
        foreach (var (role, template) in _bases)
        {
            var documents = SecretsPlacement.Apply(template.Documents, role, secrets);
            if (documents is null)
            {
                diagnostics.Add("base-no-v1alpha1", "the base config has no v1alpha1 document (version: v1alpha1) to put the cluster's secrets in", new SourceLocation(template.Path, 1, 1));
                continue;
            }

            bases[role] = new BaseTemplate(template.Path, template.Id, documents);
        }

        return new TemplateSet(bases, _patches);
    }

    /// <summary>The patches for a device in the order they apply; null when one of its own patches did not load.</summary>
    public IReadOnlyList<PatchTemplate>? PatchesFor(Device device)
    {
        var common = _byRole[device.Role];
        if (device.Patches.Count == 0)
        {
            return common;
        }

        var list = new List<PatchTemplate>(common.Length + device.Patches.Count);
        list.AddRange(common);
        foreach (var path in device.Patches)
        {
            if (!_patches.TryGetValue(path, out var patch))
            {
                return null;
            }

            list.Add(patch);
        }

        return list;
    }

    private static IEnumerable<PatchTemplate> Under(Dictionary<string, PatchTemplate> patches, string prefix) =>
        patches.Values
            .Where(p => p.Path.StartsWith(prefix, StringComparison.Ordinal) && p.Path.IndexOf('/', prefix.Length) < 0)
            .OrderBy(p => p.Path, StringComparer.Ordinal);
}

/// <summary>A role's base config, parsed once; every device's config starts as these very nodes.</summary>
public sealed record BaseTemplate(string Path, string Id, IReadOnlyList<YamlDocument> Documents)
{
    /// <summary>Every node of <see cref="Documents"/>: the merge copies one of them before changing it, never changes it.</summary>
    public IReadOnlySet<YamlNode> SharedNodes { get; } = StrategicMerge.SharedNodes(Documents);
}

/// <summary>A Scriban template whose output is a Talos patch (one or more YAML documents).</summary>
public sealed record PatchTemplate(string Path, string Id, Template Template);
