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
    /// <summary>Functions templates may call besides Scriban's built-ins; shared, read-only.</summary>
    private static readonly ScriptObject Functions = CreateFunctions();

    private readonly TemplateSet _templates;
    private readonly ScriptObject _cluster;
    private readonly string _talosVersion;
    private readonly RenderLimits _limits;
    private readonly CancellationToken _budget;
    private readonly IConfigSchema? _schema;

    /// <summary>
    /// The last output of each patch template and its parsed documents. A template that does not depend on
    /// the device (the cluster patch, opt-in patches) renders the same text for every device: it is parsed
    /// once. Merging never changes a patch (it copies what it inserts), so sharing the documents is safe.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Text, IReadOnlyList<YamlDocument> Documents)> _lastParsed = new(StringComparer.Ordinal);

    /// <param name="budget">Cancelled when the commit's render budget is spent: the template running then stops.</param>
    /// <param name="schema">The Talos config schema every merged config must satisfy; null checks none.</param>
    public DeviceRenderer(TemplateSet templates, Cluster cluster, RenderLimits limits, CancellationToken budget, IConfigSchema? schema = null)
    {
        _templates = templates;
        _cluster = TemplateModel.ForCluster(cluster);
        _talosVersion = cluster.TalosVersion;
        _limits = limits;
        _budget = budget;
        _schema = schema;
    }

    /// <summary>
    /// The merged documents, or null with the reasons added to <paramref name="errors"/>. They share nodes
    /// with the base template and with every other device's: read them, never change them.
    /// </summary>
    public List<YamlDocument>? Merge(Device device, List<Diagnostic> errors)
    {
        var before = errors.Count;
        var merged = Merge(device, errors, fastParse: true, out var needsPositions);
        if (merged is null && needsPositions)
        {
            // A merge error points into a patch's output, and only YamlDotNet's parse keeps positions.
            // Rare (a broken template), so the device is simply done again the slow way.
            errors.RemoveRange(before, errors.Count - before);
            merged = Merge(device, errors, fastParse: false, out _);
        }

        return merged;
    }

    private List<YamlDocument>? Merge(Device device, List<Diagnostic> errors, bool fastParse, out bool needsPositions)
    {
        needsPositions = false;
        var baseTemplate = _templates.Base(device.Role);
        var patches = _templates.PatchesFor(device);
        if (baseTemplate is null || patches is null)
        {
            return null; // already reported when the templates were loaded
        }

        var context = ThreadContext;
        context.MaxChars = _limits.MaxOutputChars;
        context.LimitToString = _limits.MaxOutputChars;
        context.RegexTimeOut = _limits.TemplateTimeout;

        // Cancelled by the template's own clock or by the commit's budget, whichever runs out first.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_budget);
        context.CancellationToken = timeout.Token;
        context.PushGlobal(DeviceModel(device));
        try
        {
            return MergeWith(device, baseTemplate, patches, context, timeout, errors, fastParse, out needsPositions);
        }
        finally
        {
            context.PopGlobal();
            context.CancellationToken = CancellationToken.None;
        }
    }

    private List<YamlDocument>? MergeWith(Device device, BaseTemplate baseTemplate, IReadOnlyList<PatchTemplate> patches, BoundedTemplateContext context, CancellationTokenSource timeout, List<Diagnostic> errors, bool fastParse, out bool needsPositions)
    {
        needsPositions = false;
        // The base's own nodes, not a copy: the merge copies only the few containers a patch changes.
        var documents = new List<YamlDocument>(baseTemplate.Documents.Count + 4);
        documents.AddRange(baseTemplate.Documents);

        var failed = false;
        foreach (var patch in patches)
        {
            timeout.CancelAfter(_limits.TemplateTimeout);
            var text = RenderTemplate(patch, context, errors);
            if (!timeout.TryReset())
            {
                // The clock ran out; the token stays cancelled, so later patches could not run anyway.
                // Not worth a second run for positions: it would wait out the clock again.
                failed = true;
                needsPositions = false;
                break;
            }

            if (text is null)
            {
                failed = true;
                continue;
            }

            IReadOnlyList<YamlDocument>? patchDocuments;
            IReadOnlyList<Diagnostic> yamlErrors = [];
            var parsedFast = false;
            if (fastParse && _lastParsed.TryGetValue(patch.Path, out var last) && last.Text == text)
            {
                patchDocuments = last.Documents;
                parsedFast = true;
            }
            else
            {
                patchDocuments = fastParse ? SimpleBlockYaml.TryParse(text) : null;
                parsedFast = patchDocuments is not null;
                patchDocuments ??= YamlDocuments.Parse(text, patch.Path, out yamlErrors);
                if (fastParse && yamlErrors.Count == 0)
                {
                    _lastParsed[patch.Path] = (text, patchDocuments);
                }
            }

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

            var mergeErrors = StrategicMerge.Apply(documents, patchDocuments, patch.Path, baseTemplate.SharedNodes, _talosVersion);
            if (mergeErrors.Count > 0)
            {
                errors.AddRange(mergeErrors);
                failed = true;
                needsPositions |= parsedFast;
            }
        }

        if (failed)
        {
            return null;
        }

        var before = errors.Count;
        ConfigChecks.Check(documents, device, errors);
        _schema?.Check(documents, device, errors);
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

    private static ScriptObject CreateFunctions()
    {
        var functions = new ScriptObject();
        functions.Import("quote", new Func<object?, string>(TemplateModel.Quote));
        functions.IsReadOnly = true;
        return functions;
    }

    /// <summary>
    /// One context per thread, reused for every device and patch: building a context (Scriban's built-in
    /// functions) costs more than rendering a small template. Each device pushes its model and pops it after.
    /// </summary>
    private static BoundedTemplateContext ThreadContext => t_context ??= NewContext();

    [ThreadStatic]
    private static BoundedTemplateContext? t_context;

    private static BoundedTemplateContext NewContext()
    {
        // LoopLimit counts every iteration of a render, nested loops included (Scriban's own accounting).
        var context = new BoundedTemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            LoopLimit = 10_000,
            RecursiveLimit = 64,
            MemberRenamer = member => member.Name,
        };
        context.PushGlobal(Functions);
        return context;
    }

    private ScriptObject DeviceModel(Device device)
    {
        var model = new ScriptObject
        {
            ["device"] = TemplateModel.ForDevice(device),
            ["cluster"] = _cluster,
        };
        model.IsReadOnly = true;
        return model;
    }

    private string? RenderTemplate(PatchTemplate patch, TemplateContext context, List<Diagnostic> errors)
    {
        // A scope of its own for the variables a template assigns, so none leaks into the next patch.
        context.PushGlobal(new ScriptObject());
        var succeeded = false;
        try
        {
            var text = patch.Template.Render(context);
            succeeded = true;
            if (text.Length > _limits.MaxOutputChars)
            {
                errors.Add(new Diagnostic(TemplateFailures.TooLarge, $"the template's output is over {_limits.MaxOutputChars} characters", new SourceLocation(patch.Path, 1, 1)));
                return null;
            }

            return text;
        }
        catch (Exception e) when (e is ScriptAbortException or OperationCanceledException)
        {
            // Scriban reports a cancelled token as a runtime error ("The operation was cancelled"): it is a timeout.
            errors.Add(new Diagnostic(TemplateFailures.Timeout, TimeoutMessage(), new SourceLocation(patch.Path, 1, 1)));
        }
        catch (ScriptRuntimeException e)
        {
            errors.Add(TemplateFailures.FromScriban(e, patch.Path));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or InvalidCastException or IndexOutOfRangeException)
        {
            // Scriban lets a few .NET exceptions through from built-in functions; they are still the template's fault.
            errors.Add(new Diagnostic(TemplateFailures.Runtime, e.Message, new SourceLocation(patch.Path, 1, 1)));
        }
        finally
        {
            if (!succeeded)
            {
                // Scriban may leave scopes or loop state behind when a template throws: start the next device on a fresh context.
                t_context = null;
            }

            context.PopGlobal();

            // A template that failed leaves its partial output behind; the next patch must start empty.
            if (context.Output is StringBuilderOutput output)
            {
                output.Builder.Clear();
            }
        }

        return null;
    }

    /// <summary>Which clock stopped the template: the commit's budget, or the template's own.</summary>
    private string TimeoutMessage() => _budget.IsCancellationRequested
        ? $"the commit's render budget of {Seconds(_limits.Budget)} ran out while this template was rendering; the commit fails as a whole"
        : $"the template ran for more than {Seconds(_limits.TemplateTimeout)} (a loop that does not end?)";

    internal static string Seconds(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";
}
