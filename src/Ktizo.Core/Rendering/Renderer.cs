using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Templates;
using Ktizo.Core.Validation;

namespace Ktizo.Core.Rendering;

/// <summary>Validates and renders a repository tree. One entry point for the CLI, CI and the gatekeeper.</summary>
public static class Renderer
{
    /// <summary>
    /// Validates <paramref name="tree"/> and renders every approved device; every error of the tree is
    /// reported in one run. Devices whose inputs are unchanged since <paramref name="previous"/> reuse its bytes.
    /// The work is bounded by <paramref name="limits"/> (<see cref="RenderLimits.Default"/> when null). With
    /// <paramref name="schemas"/> (what the CLI and the gatekeeper pass), every rendered config is also checked
    /// against the Talos config schema of the cluster's <c>talosVersion</c>, and a version it lacks is an error.
    /// The cluster's secrets come from <paramref name="secrets"/>; without one the configs carry
    /// <see cref="PlaceholderSecrets"/> (enough to validate and diff, never to serve: the set says so).
    /// </summary>
    public static RenderResult Render(
        IFileTree tree, RenderedSet? previous = null, IConfigSchemas? schemas = null, RenderLimits? limits = null, SecretsBundle? secrets = null)
    {
        limits ??= RenderLimits.Default;
        secrets ??= PlaceholderSecrets.Bundle;
        var clock = Stopwatch.StartNew();
        var diagnostics = new Diagnostics();
        var cluster = InventoryReader.ReadCluster(tree, diagnostics, schemas);
        var clusterKey = cluster is null ? null : tree.FileId(InventoryReader.ClusterFile);
        var devices = InventoryReader.ReadDevices(tree, cluster, clusterKey, diagnostics, previous?.ParsedFiles);
        var approved = devices.Approved;
        InventoryRules.Check(devices.Sources, cluster, diagnostics);
        InventoryRules.CheckVip(approved, cluster, diagnostics);
        var rules = Rules.RulesReader.Read(tree, cluster, diagnostics);
        SecretScan.Check(tree, diagnostics);
        var templates = TemplateSet.Load(tree, diagnostics).WithSecrets(secrets, diagnostics);
        var fingerprint = secrets.Fingerprint;

        var rendered = new RenderedConfig?[approved.Count];
        string? templatesKey = null;
        var reused = 0;
        var deviceErrors = new List<Diagnostic>?[approved.Count];
        if (cluster is not null && clusterKey is not null)
        {
            using var budget = new CancellationTokenSource(limits.Budget, limits.Time);
            var renderer = new DeviceRenderer(templates, cluster, limits, budget.Token, schemas?.For(cluster.TalosVersion));
            // The bundle is an input of every device: a changed bundle renders every device again.
            templatesKey = TemplatesKey(tree) + "secrets=" + fingerprint + "\n";
            var sameTemplates = previous?.TemplatesKey == templatesKey;
            var keys = approved.Select(d => sameTemplates && SameDevice(previous!, d) is { } old ? old.InputKey : InputKey(d, clusterKey + "|" + fingerprint, templates)).ToArray();
            var todo = new List<int>(approved.Count);
            for (var i = 0; i < approved.Count; i++)
            {
                if (previous is not null && previous.Approved.TryGetValue(approved[i].Mac, out var old) && old.InputKey == keys[i])
                {
                    rendered[i] = old;
                    reused++;
                }
                else
                {
                    todo.Add(i);
                }
            }

            var unfinished = RenderWorkers.Run(todo, limits.Parallelism, budget.Token, i =>
            {
                var errors = new List<Diagnostic>();
                rendered[i] = renderer.Render(approved[i], keys[i], errors);
                deviceErrors[i] = errors.Count > 0 ? errors : null;
            });
            if (budget.IsCancellationRequested && !deviceErrors.Any(e => e?.Any(d => d.Code == TemplateFailures.Timeout) == true))
            {
                // Spent between templates (merging, checks): name the first device that was never rendered.
                var next = unfinished.Count > 0 ? approved[unfinished[0]] : approved[todo[^1]];
                diagnostics.Add(
                    TemplateFailures.Timeout,
                    $"the commit's render budget of {DeviceRenderer.Seconds(limits.Budget)} ran out before this device was rendered ({todo.Count - unfinished.Count} of {todo.Count} devices done); the commit fails as a whole",
                    new SourceLocation(next.File, 0, 0));
            }

            SharePieces(rendered, todo);
        }

        var all = diagnostics.Items.Concat(FoldRepeats(approved, deviceErrors))
            .Distinct()
            .OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column)
            .ThenBy(d => d.Code, StringComparer.Ordinal).ThenBy(d => d.Message, StringComparer.Ordinal)
            .ToList();
        var stats = new RenderStats(approved.Count - reused, reused, clock.Elapsed);
        if (all.Count > 0 || cluster is null)
        {
            return new RenderResult(null, all, stats);
        }

        var set = new RenderedSet(tree.Commit, cluster, rendered!, devices.Rejected, devices.Parsed, templatesKey)
        {
            SecretsFingerprint = fingerprint,
            PlaceholderSecrets = secrets.IsPlaceholder,
            Rules = rules ?? Rules.RuleSet.Empty,
        };
        return new RenderResult(set, all, stats);
    }

    /// <summary>
    /// A broken template fails the same way for every device that uses it: report it once, saying for
    /// which device and how many more, instead of ten thousand times.
    /// </summary>
    private static IEnumerable<Diagnostic> FoldRepeats(List<Device> devices, List<Diagnostic>?[] errors)
    {
        var seen = new Dictionary<Diagnostic, (Device First, int More)>();
        var order = new List<Diagnostic>();
        for (var i = 0; i < errors.Length; i++)
        {
            foreach (var error in errors[i] ?? [])
            {
                if (seen.TryGetValue(error, out var entry))
                {
                    seen[error] = (entry.First, entry.More + 1);
                }
                else
                {
                    seen[error] = (devices[i], 0);
                    order.Add(error);
                }
            }
        }

        foreach (var error in order)
        {
            var (first, more) = seen[error];
            // An error located in a template says which device it was rendering; one in the device file needs no such note.
            yield return error.Location.File == first.File
                ? error
                : error with { Message = $"{error.Message} (rendering {first.Hostname}{(more > 0 ? $" and {more} more device{(more == 1 ? "" : "s")}" : "")})" };
        }
    }

    /// <summary>Holds the newly rendered configs' common lines once (<see cref="SharedPieces"/>); reused configs already are.</summary>
    private static void SharePieces(RenderedConfig?[] rendered, List<int> todo)
    {
        var done = todo.Where(i => rendered[i] is not null).ToList();
        var pieces = SharedPieces.Split(done.Select(i => rendered[i]!.Yaml).ToList());
        for (var k = 0; k < done.Count; k++)
        {
            rendered[done[k]] = rendered[done[k]]!.WithPieces(pieces[k]);
        }
    }

    /// <summary>
    /// The previous config of a device whose file outcome was reused as is (the same object: same file bytes and
    /// cluster file, so the same input key while the templates are unchanged), or null.
    /// </summary>
    private static RenderedConfig? SameDevice(RenderedSet previous, Device device) =>
        previous.Approved.TryGetValue(device.Mac, out var old) && ReferenceEquals(old.Device, device) ? old : null;

    /// <summary>Every path under templates/ with its id: a handful of files, compared instead of hashing each device's templates.</summary>
    private static string TemplatesKey(IFileTree tree)
    {
        var sb = new StringBuilder();
        foreach (var path in tree.ListFilesRecursive("templates"))
        {
            sb.Append(path).Append('=').Append(tree.FileId(path)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Everything a device's bytes depend on: the cluster file, the resolved device, and the ids of the base
    /// and patch files that apply. Same key, same bytes: the device need not be rendered again.
    /// </summary>
    private static string InputKey(Device device, string clusterKey, TemplateSet templates)
    {
        var sb = new StringBuilder(256)
            .Append(clusterKey).Append('\n')
            .Append(device.File).Append('|').Append(device.Mac).Append('|').Append(device.Hostname).Append('|').Append(device.Role.Name()).Append('|')
            .Append(device.Ip).Append('|').Append(device.Gateway).Append('|').Append(device.InstallDisk).Append('|')
            .Append(device.Interface).Append('|').Append(device.Mtu).Append('|')
            .AppendJoin(',', device.Nameservers).Append('|')
            .AppendJoin(',', device.Labels.Select(kv => kv.Key + "=" + kv.Value)).Append('|')
            .Append(device.DeviceAuth).Append('|').Append(device.DeviceAuthRearm).Append('\n') // not in the bytes, but in the served config's device: a change must not reuse the old one
            .Append(templates.Base(device.Role)?.Id).Append('\n');
        foreach (var patch in templates.PatchesFor(device) ?? [])
        {
            sb.Append(patch.Path).Append('=').Append(patch.Id).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
