using System.Net;
using System.Runtime.CompilerServices;
using Ktizo.Core;
using Ktizo.GitHub;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// The one way a request records a device it has seen: the config download, its POST form and
/// <c>POST /api/v1/devices/register</c> all come here. A first sighting is on disk before the caller answers,
/// and it wakes the GitHub worker and the approval rules, so a new pending machine gets its issue within the worker's wake delay
/// instead of at its next poll. With GitHub off the signal is still registered and nobody waits on it.
/// Every first sighting's outcome goes to <see cref="StoreHealth"/>.
/// </summary>
public sealed class DeviceSightings(DeviceStore store, PendingIssueSignal pendingIssues, StoreHealth health, Notifications.Notifier? notifier = null, Rules.RuleSignal? rules = null)
{
    /// <summary>
    /// A device the store already knows: its counters move in memory (no lock, no disk, no allocation).
    /// False for a device never seen: the caller goes on to <see cref="RecordAsync"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryTouch(MacAddress mac, ObservationKind kind, IPAddress? address, string? userAgent, ReadOnlySpan<char> uuid) =>
        store.TryTouch(mac, kind, address, userAgent, uuid);

    /// <summary>
    /// An answer that gave <paramref name="mac"/> its config: remembered as its served history (docs/drift.md). Costs a
    /// dictionary read when the machine had the same bytes last time; otherwise a row queued for the next group commit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Served(MacAddress mac, Serving.ServingSnapshot snapshot, Serving.ServedConfig served, IPAddress? address) =>
        store.RecordServed(mac, snapshot.Commit, served.Config.Sha256, snapshot.PullRequest, address);

    /// <summary>
    /// Records a sighting durably; true when it was the device's first, in which case the GitHub worker
    /// has been woken (never waited for). Store failures propagate (the caller answers 503) after
    /// <see cref="StoreHealth"/> has counted them.
    /// </summary>
    public async Task<bool> RecordAsync(
        MacAddress mac, ObservationKind kind, IPAddress? address, string? userAgent, string? uuid, CancellationToken cancellationToken)
    {
        bool first;
        try
        {
            first = await store.RecordAsync(mac, kind, address, userAgent, uuid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            health.Failed(ex);
            throw;
        }

        if (first)
        {
            health.Succeeded();
            pendingIssues.Notify();
            notifier?.Wake(); // its device.pending, if any, went into the same commit
            rules?.Notify();
        }

        return first;
    }
}
