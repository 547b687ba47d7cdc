using Ktizo.Core;
using Ktizo.Core.Drift;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// An approved machine against git (docs/drift.md): its last download beside what the served commit renders for it now,
/// and for a drifted one the served commit that first rendered other bytes after that download.
/// </summary>
/// <param name="LastServed">Its last download (commit, hash, time, address); null when it never downloaded.</param>
/// <param name="CurrentHash">What the served commit renders for it (SHA-256 hex).</param>
/// <param name="Since">For a drifted machine, the commit since which git renders something else, when the kept changes tell.</param>
public sealed record DeviceDrift(DriftState State, ServedEntry? LastServed, string CurrentHash, RenderChange? Since)
{
    /// <summary>From memory only (no query): null unless <paramref name="snapshot"/> approves <paramref name="mac"/>.</summary>
    public static DeviceDrift? Of(MacAddress mac, ServingSnapshot? snapshot, DeviceStore store)
    {
        if (snapshot is null || !snapshot.Set.Approved.TryGetValue(mac, out var config))
        {
            return null;
        }

        var last = store.LastServed(mac);
        var state = last is null ? DriftState.NeverDownloaded : IsDrifted(last, config.Sha256) ? DriftState.Drifted : DriftState.InSync;
        return new DeviceDrift(state, last, config.Sha256, null);
    }

    /// <summary>The machine downloaded, and not the bytes <paramref name="currentHash"/> names.</summary>
    public static bool IsDrifted(ServedEntry? last, string currentHash) =>
        last is not null && !string.Equals(last.ConfigHash, currentHash, StringComparison.Ordinal);

    /// <summary>How many approved machines of <paramref name="snapshot"/> are drifted: from memory, for <c>/metrics</c>.</summary>
    public static int CountDrifted(ServingSnapshot? snapshot, DeviceStore store)
    {
        var drifted = 0;
        if (snapshot is null)
        {
            return 0;
        }

        foreach (var (mac, config) in snapshot.Set.Approved)
        {
            if (IsDrifted(store.LastServed(mac), config.Sha256))
            {
                drifted++;
            }
        }

        return drifted;
    }

    /// <summary>This drift with <see cref="Since"/> found among <paramref name="changes"/> (the machine's, oldest first).</summary>
    public DeviceDrift WithSince(IReadOnlyList<RenderChange>? changes) =>
        State != DriftState.Drifted || changes is null ? this : this with { Since = SinceOf(LastServed!, CurrentHash, changes) };

    /// <summary>
    /// The first change recorded after the download whose bytes differ from the downloaded ones; when none was recorded
    /// after it (the download raced a swap), the newest change to the bytes rendered now; null when the kept rows do not tell.
    /// </summary>
    public static RenderChange? SinceOf(ServedEntry last, string currentHash, IReadOnlyList<RenderChange> changes) =>
        changes.FirstOrDefault(c => c.Time >= last.Time && !string.Equals(c.ConfigHash, last.ConfigHash, StringComparison.Ordinal))
        ?? changes.LastOrDefault(c => string.Equals(c.ConfigHash, currentHash, StringComparison.Ordinal));
}
