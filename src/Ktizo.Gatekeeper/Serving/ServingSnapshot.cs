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
    public ServingSnapshot(RenderedSet set, string commit, DateTimeOffset loadedAt)
    {
        Set = set;
        Commit = commit;
        LoadedAt = loadedAt;
        Configs = set.Approved.ToFrozenDictionary(p => p.Key, p => new ServedConfig(p.Value, commit));
    }

    public RenderedSet Set { get; }

    /// <summary>The commit sha rendered (the value of the <c>X-Ktizo-Commit</c> header).</summary>
    public string Commit { get; }

    public DateTimeOffset LoadedAt { get; }

    public FrozenDictionary<MacAddress, ServedConfig> Configs { get; }
}

/// <summary>An approved device's answer, ready to write.</summary>
public sealed class ServedConfig(RenderedConfig config, string commit)
{
    public RenderedConfig Config { get; } = config;

    public byte[] Yaml { get; } = config.Yaml;

    /// <summary>The strong ETag: the quoted SHA-256 of the bytes.</summary>
    public string ETag { get; } = "\"" + config.Sha256 + "\"";

    public string Commit { get; } = commit;
}

/// <summary>The 403 bodies, exactly as the contract writes them.</summary>
internal static class DenialText
{
    public static readonly byte[] Pending = Encoding.UTF8.GetBytes("Device not approved. Current status: pending");
    public static readonly byte[] Rejected = Encoding.UTF8.GetBytes("Device not approved. Current status: rejected");
}
