using System.Collections.Frozen;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Everything rendered from one commit: immutable, so the gatekeeper swaps a whole set in one
/// reference assignment and a request sees either the old set or the new one, never a mix.
/// </summary>
public sealed class RenderedSet
{
    public RenderedSet(
        string? commit, Cluster cluster, IEnumerable<RenderedConfig> approved, IEnumerable<RejectedDevice> rejected,
        IReadOnlyDictionary<string, ParsedDeviceFile>? parsedFiles = null, string? templatesKey = null)
    {
        Commit = commit;
        Cluster = cluster;
        Approved = approved.ToFrozenDictionary(c => c.Mac);
        Rejected = rejected.ToFrozenDictionary(d => d.Mac);
        ParsedFiles = parsedFiles ?? FrozenDictionary<string, ParsedDeviceFile>.Empty;
        TemplatesKey = templatesKey;
    }

    /// <summary>The commit rendered, or null when rendered from a folder.</summary>
    public string? Commit { get; }

    public Cluster Cluster { get; }

    public FrozenDictionary<MacAddress, RenderedConfig> Approved { get; }

    public FrozenDictionary<MacAddress, RejectedDevice> Rejected { get; }

    /// <summary>Each device file as read, by path: what the next render reuses for files that did not change.</summary>
    public IReadOnlyDictionary<string, ParsedDeviceFile> ParsedFiles { get; }

    /// <summary>Every file under <c>templates/</c> with its id, or null: while it is unchanged, so is every unchanged device's input key.</summary>
    public string? TemplatesKey { get; }

    /// <summary>The fingerprint of the secrets bundle the configs carry (<see cref="ClusterSecrets.SecretsBundle.Fingerprint"/>).</summary>
    public string SecretsFingerprint { get; init; } = "";

    /// <summary>True when rendered with placeholder secrets: fit to validate and diff, never to serve.</summary>
    public bool PlaceholderSecrets { get; init; }

    /// <summary>The approval rules of <c>inventory/rules.yaml</c> in this commit (docs/rules.md); empty without the file.</summary>
    public Rules.RuleSet Rules { get; init; } = Core.Rules.RuleSet.Empty;

    /// <summary>Default deny: anything not in a device file is pending.</summary>
    public DeviceStatus StatusOf(MacAddress mac) =>
        Approved.ContainsKey(mac) ? DeviceStatus.Approved
        : Rejected.ContainsKey(mac) ? DeviceStatus.Rejected
        : DeviceStatus.Pending;

    /// <summary>Every device file, approved and rejected: MAC → repository path.</summary>
    public IEnumerable<(MacAddress Mac, string File, DeviceStatus Status)> DeviceFiles =>
        Approved.Values.Select(c => (c.Mac, c.Device.File, DeviceStatus.Approved))
            .Concat(Rejected.Values.Select(r => (r.Mac, r.File, DeviceStatus.Rejected)))
            .OrderBy(d => d.Mac);
}
