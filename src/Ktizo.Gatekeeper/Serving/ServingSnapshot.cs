using System.Collections.Frozen;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Rendering;

namespace Ktizo.Gatekeeper.Serving;

/// <summary>
/// One rendered commit prepared for serving: everything a config answer writes (bytes, quoted ETag,
/// commit header) is computed here once, so the hot path only looks up and copies.
/// </summary>
public sealed class ServingSnapshot
{
    /// <param name="previous">The snapshot served before: answers of configs it shares with <paramref name="set"/> are reused, not built again.</param>
    public ServingSnapshot(RenderedSet set, string commit, DateTimeOffset loadedAt, ServingSnapshot? previous = null)
    {
        Set = set;
        Commit = commit;
        LoadedAt = loadedAt;
        Configs = set.Approved.ToFrozenDictionary(p => p.Key, p => Reuse(previous, p.Value) ?? new ServedConfig(p.Value));
        DeviceAuth = set.Cluster.DeviceAuth != Core.DeviceAuth.DeviceAuthMode.Off || Configs.Values.Any(c => c.RequiresToken);
    }

    /// <summary>Some device (or the cluster default) has <c>deviceAuth</c> on: <c>/boot.ipxe</c> turns Talos's device flow on.</summary>
    public bool DeviceAuth { get; }

    public RenderedSet Set { get; }

    /// <summary>The commit sha rendered (the value of the <c>X-Ktizo-Commit</c> header).</summary>
    public string Commit { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>The pull request the commit's subject names, when it names one (served history and drift link to it).</summary>
    public int? PullRequest { get; init; }

    public FrozenDictionary<MacAddress, ServedConfig> Configs { get; }

    private static ServedConfig? Reuse(ServingSnapshot? previous, RenderedConfig config) =>
        previous is not null && previous.Configs.TryGetValue(config.Mac, out var served) && ReferenceEquals(served.Config, config)
            ? served
            : null;
}

/// <summary>An approved device's answer, ready to write. Holds nothing of the commit, so an unchanged device's answer is shared between commits.</summary>
public sealed class ServedConfig(RenderedConfig config)
{
    public RenderedConfig Config { get; } = config;

    /// <summary>The answer's bytes in order (some shared with other devices' answers): write them one after another.</summary>
    public byte[][] Pieces { get; } = config.Pieces;

    /// <summary>The answer's length in bytes.</summary>
    public int Length { get; } = config.Length;

    /// <summary>The strong ETag: the quoted SHA-256 of the bytes.</summary>
    public string ETag { get; } = "\"" + config.Sha256 + "\"";

    /// <summary>
    /// The device's <c>deviceAuth</c> is on: the answer needs the bearer token issued for its MAC. Decided
    /// here, with the rest of the answer, so a device with it off costs the hot path one field read.
    /// </summary>
    public bool RequiresToken { get; } = config.Device.DeviceAuth != Core.DeviceAuth.DeviceAuthMode.Off;
}

/// <summary>The 403 bodies, exactly as the contract writes them.</summary>
internal static class DenialText
{
    public static readonly byte[] Pending = Encoding.UTF8.GetBytes("Device not approved. Current status: pending");
    public static readonly byte[] Rejected = Encoding.UTF8.GetBytes("Device not approved. Current status: rejected");
    public static readonly byte[] Unauthenticated = Encoding.UTF8.GetBytes("Device authentication required: send the bearer token issued to this machine's device flow (docs/device-auth.md).");
}
