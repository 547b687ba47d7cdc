using System.Security.Cryptography;
using Ktizo.Core.Inventory;
using Ktizo.Core.Templates;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Renders one device: clone of its role's base, each patch template rendered with the device as model
/// and merged in order, checks, then the bytes. Thread-safe; the renderer calls it in parallel.
/// </summary>
internal sealed class DeviceRenderer
{
    /// <summary>A patch template that runs longer than this is stuck (a loop); it is an error, not a hang.</summary>
    public static readonly TimeSpan TemplateTimeout = TimeSpan.FromSeconds(2);

    private const int MaxOutputChars = 1024 * 1024;

    private readonly TemplateSet _templates;
    private readonly ScriptObject _cluster;

    public DeviceRenderer(TemplateSet templates, Cluster cluster)
    {
        _templates = templates;
        _cluster = TemplateModel.ForCluster(cluster);
    }

    /// <summary>The merged documents, or null with the reasons added to <paramref name="errors"/>.</summary>
    public List<YamlDocument>? Merge(Device device, List<Diagnostic> errors)
    {
        var baseTemplate = _templates.Base(device.Role);
        var patches = _templates.PatchesFor(device);
        if (baseTemplate is null || patches is null)
        {
            return null; // already reported when the templates were loaded
        }

        var documents = new List<YamlDocument>(baseTemplate.Documents.Count + 4);
        foreach (var document in baseTemplate.Documents)
        {
            documents.Add(YamlClone.Deep(document));
        }

        var deviceModel = TemplateModel.ForDevice(device);
        var failed = false;
        foreach (var patch in patches)
        {
            var text = RenderTemplate(patch, deviceModel, errors);
            if (text is null)
            {
                failed = true;
                continue;
            }

            var patchDocuments = YamlDocuments.Parse(text, patch.Path, out var yamlErrors);
            if (yamlErrors.Count > 0)
            {
                foreach (var e in yamlErrors)
                {
                    errors.Add(e with
                    {
                        Code = "patch-yaml",
                        Message = $"the output of this template is not valid YAML (line {e.Location.Line} of the output, column {e.Location.Column}): {e.Message}",
                    });
                }

                failed = true;
                continue;
            }

            var mergeErrors = StrategicMerge.Apply(documents, patchDocuments, patch.Path);
            if (mergeErrors.Count > 0)
            {
                errors.AddRange(mergeErrors);
                failed = true;
            }
        }

        if (failed)
        {
            return null;
        }

        var before = errors.Count;
        ConfigChecks.Check(documents, device, errors);
        return errors.Count == before ? documents : null;
    }

    public RenderedConfig? Render(Device device, string inputKey, List<Diagnostic> errors)
    {
        var documents = Merge(device, errors);
        if (documents is null)
        {
            return null;
        }

        var bytes = YamlWriter.Write(documents);
        return new RenderedConfig(device, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), inputKey);
    }

    private string? RenderTemplate(PatchTemplate patch, ScriptObject device, List<Diagnostic> errors)
    {
        var globals = new ScriptObject
        {
            ["device"] = device,
            ["cluster"] = _cluster,
        };
        globals.Import("quote", new Func<object?, string>(TemplateModel.Quote));

        using var timeout = new CancellationTokenSource(TemplateTimeout);
        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            LoopLimit = 10_000,
            RecursiveLimit = 64,
            LimitToString = MaxOutputChars,
            CancellationToken = timeout.Token,
            MemberRenamer = member => member.Name,
        };
        context.PushGlobal(globals);
        try
        {
            var text = patch.Template.Render(context);
            if (text.Length > MaxOutputChars)
            {
                errors.Add(new Diagnostic("template-runtime", $"the template's output is over {MaxOutputChars} characters", new SourceLocation(patch.Path, 1, 1)));
                return null;
            }

            return text;
        }
        catch (ScriptRuntimeException e)
        {
            errors.Add(new Diagnostic("template-runtime", e.OriginalMessage, new SourceLocation(patch.Path, e.Span.Start.Line + 1, e.Span.Start.Column + 1)));
        }
        catch (OperationCanceledException)
        {
            errors.Add(new Diagnostic("template-timeout", $"the template ran for more than {TemplateTimeout.TotalSeconds:0} s (a loop that does not end?)", new SourceLocation(patch.Path, 1, 1)));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or InvalidCastException or IndexOutOfRangeException)
        {
            // Scriban lets a few .NET exceptions through from built-in functions; they are still the template's fault.
            errors.Add(new Diagnostic("template-runtime", e.Message, new SourceLocation(patch.Path, 1, 1)));
        }

        return null;
    }
}
