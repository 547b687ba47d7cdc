using Ktizo.Core;
using Ktizo.Core.Notifications;
using Ktizo.Core.Validation;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Notifications;

/// <summary>
/// Where the gatekeeper says that something happened: makes the event (Ktizo.Core), one body per receiver that wants
/// it (filter and format), queues the bodies in the durable outbox and wakes <see cref="NotificationWorker"/>.
/// <para>
/// First sightings are decided inside the sighting's own transaction (<see cref="NotificationOutbox.OnFirstSighting"/>):
/// the first <see cref="NotificationDeliveryOptions.FoldThreshold"/> of a minute each become an event, the rest of that
/// minute one summary once it is over. Refused claims (only approved MACs under deviceAuth can be refused, but a
/// Talos without its token retries for hours) are notified once per MAC per hour. Without receivers every call returns at once.
/// </para>
/// </summary>
public sealed partial class Notifier
{
    private static readonly TimeSpan ClaimQuiet = TimeSpan.FromHours(1);
    private const int MaxClaimsRemembered = 10_000;

    private readonly NotificationOutbox? _outbox;
    private readonly ServingState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<Notifier> _logger;
    private readonly int _foldThreshold;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<MacAddress, DateTimeOffset> _claims = [];
    private readonly Dictionary<string, (DateTimeOffset Minute, int Count)> _minutes = new(StringComparer.Ordinal);

    public Notifier(
        IReadOnlyList<NotificationReceiver> receivers, NotificationOutbox? outbox, DeviceStore store, NotificationDeliveryOptions delivery,
        ServingState state, TimeProvider time, ILogger<Notifier> logger)
    {
        Receivers = receivers;
        _outbox = receivers.Count > 0 ? outbox : null;
        _state = state;
        _time = time;
        _logger = logger;
        _foldThreshold = delivery.FoldThreshold;
        _outbox?.OnFirstSighting(store, FirstSighting);
    }

    public IReadOnlyList<NotificationReceiver> Receivers { get; }

    public bool Enabled => _outbox is not null;

    internal NotificationOutbox? Outbox => _outbox;

    /// <summary>Completes when something was queued since the last wait.</summary>
    internal Task WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);

    /// <summary>
    /// A commit was swapped in over <paramref name="previous"/>: devices it newly approves or rejects are announced. The
    /// first commit this process serves decides nothing new; it says which machines first seen before it are pending.
    /// Returns once the events are on disk.
    /// </summary>
    public void CommitSwapped(ServingSnapshot? previous, ServingSnapshot current)
    {
        if (_outbox is null)
        {
            return;
        }

        if (previous is null)
        {
            ResolveDeferred(current);
            return;
        }

        var now = _time.GetUtcNow();
        var events = new List<NotificationEvent>();
        foreach (var (mac, config) in current.Set.Approved)
        {
            if (!previous.Set.Approved.ContainsKey(mac))
            {
                events.Add(NotificationEvents.Approved(mac, config.Device.Hostname, current.Commit, now));
            }
        }

        foreach (var (mac, rejected) in current.Set.Rejected)
        {
            if (!previous.Set.Rejected.ContainsKey(mac))
            {
                events.Add(NotificationEvents.Rejected(mac, rejected.Hostname, current.Commit, now));
            }
        }

        Queue(events);
    }

    // First sightings while nothing was served (SightingNotice.Defer): the pending ones are announced now, the first
    // FoldThreshold each, the rest in one summary; approved and rejected ones never were pending.
    private void ResolveDeferred(ServingSnapshot current)
    {
        try
        {
            var resolved = _outbox!.ResolveDeferredAsync(deferred =>
            {
                var pending = deferred.Where(d => current.Set.StatusOf(d.Mac) == Core.Inventory.DeviceStatus.Pending).ToList();
                var events = pending.Take(_foldThreshold)
                    .Select(d => NotificationEvents.Pending(NotificationEvents.NewId(), d.Mac, d.FirstSeen, current.Commit)).ToList();
                if (pending.Count > _foldThreshold)
                {
                    var rest = pending.Skip(_foldThreshold).ToList();
                    var minute = MinuteOf(rest[0].FirstSeen);
                    events.Add(NotificationEvents.PendingSummary(
                        NotificationEvents.StableId(NotificationTypes.DevicePendingSummary, "deferred " + current.Commit), minute, rest.Count, [.. rest.Select(r => r.Mac)]));
                }

                return events.SelectMany(FanOut).ToList();
            }, CancellationToken.None).GetAwaiter().GetResult();
            if (resolved > 0)
            {
                Wake();
            }
        }
        catch (Exception ex)
        {
            LogQueueFailed(ex, 1, NotificationTypes.DevicePending);
        }
    }

    /// <summary>A commit failed validation or rendering (reported once per commit by the swapper). Returns once on disk.</summary>
    public void CommitFailed(string commit, IReadOnlyList<Diagnostic> errors, string? served)
    {
        if (_outbox is null)
        {
            return;
        }

        Queue([NotificationEvents.CommitFailed(commit, errors.Count, errors.Select(e => e.Code), served, _time.GetUtcNow())]);
    }

    /// <summary>A config download refused for lack of the MAC's bearer token. Never waits: the refusal is answered meanwhile.</summary>
    public void ClaimRefused(MacAddress mac, bool hadToken)
    {
        if (_outbox is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_claims.TryGetValue(mac, out var last) && now - last < ClaimQuiet)
            {
                return;
            }

            if (_claims.Count >= MaxClaimsRemembered)
            {
                _claims.Clear();
            }

            _claims[mac] = now;
        }

        var snapshot = _state.Snapshot;
        var hostname = snapshot?.Configs.TryGetValue(mac, out var served) == true ? served.Config.Device.Hostname : null;
        var e = NotificationEvents.ClaimRefused(NotificationEvents.NewId(), mac, hostname, snapshot?.Commit, hadToken, now);
        _ = QueueInBackgroundAsync(e);
    }

    /// <summary>The rows of every receiver that wants <paramref name="e"/>, each in its format.</summary>
    public IReadOnlyList<OutgoingNotification> FanOut(NotificationEvent e)
    {
        var rows = new List<OutgoingNotification>(Receivers.Count);
        foreach (var receiver in Receivers)
        {
            if (receiver.Wants(e.Type))
            {
                rows.Add(new OutgoingNotification(receiver.Key, e.Id, e.Type, NotificationPayload.Build(e, receiver.Format)));
            }
        }

        return rows;
    }

    /// <summary>Turns the folds of minutes that are over into summary events; the worker calls it every pass.</summary>
    internal async Task ExpandFoldsAsync(CancellationToken cancellationToken)
    {
        var thisMinute = MinuteOf(_time.GetUtcNow());
        var expanded = await _outbox!.ExpandFoldsAsync(thisMinute, fold =>
            FanOut(NotificationEvents.PendingSummary(
                NotificationEvents.StableId(fold.Type, fold.Minute.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                fold.Minute, fold.Count, fold.Sample)),
            cancellationToken).ConfigureAwait(false);
        if (expanded > 0)
        {
            Wake();
        }
    }

    internal void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    // On the store's committing thread, inside the sighting's transaction: a lookup and a counter.
    private SightingNotice? FirstSighting(MacAddress mac, ObservationKind kind, DateTimeOffset time)
    {
        var snapshot = _state.Snapshot;
        if (snapshot is null)
        {
            // Only a commit says whether it is pending: an approved machine booting before the first sync is not announced.
            return SightingNotice.Defer();
        }

        if (snapshot.Set.StatusOf(mac) != Core.Inventory.DeviceStatus.Pending)
        {
            return null;
        }

        // By this notifier's clock (the store's in production), so that a test's clock decides when a minute is over.
        if (Folds(NotificationTypes.DevicePending, _time.GetUtcNow()) is { } minute)
        {
            return SightingNotice.Fold(minute, NotificationTypes.DevicePendingSummary);
        }

        return SightingNotice.Send(FanOut(NotificationEvents.Pending(NotificationEvents.NewId(), mac, time, snapshot.Commit)));
    }

    /// <summary>The minute to fold into when <paramref name="type"/> is over the threshold in <paramref name="time"/>'s minute; else null.</summary>
    private DateTimeOffset? Folds(string type, DateTimeOffset time)
    {
        var minute = MinuteOf(time);
        lock (_lock)
        {
            var count = _minutes.TryGetValue(type, out var m) && m.Minute == minute ? m.Count + 1 : 1;
            _minutes[type] = (minute, count);
            return count > _foldThreshold ? minute : null;
        }
    }

    private void Queue(IReadOnlyList<NotificationEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var rows = events.SelectMany(FanOut).ToList();
        try
        {
            // The sync loop waits for its own events to be on disk (one group commit) before it records the commit served.
            _outbox!.EnqueueAsync(rows, CancellationToken.None).GetAwaiter().GetResult();
            Wake();
        }
        catch (Exception ex)
        {
            LogQueueFailed(ex, events.Count, events[0].Type);
        }
    }

    private async Task QueueInBackgroundAsync(NotificationEvent e)
    {
        try
        {
            await _outbox!.EnqueueAsync(FanOut(e), CancellationToken.None).ConfigureAwait(false);
            Wake();
        }
        catch (Exception ex)
        {
            LogQueueFailed(ex, 1, e.Type);
        }
    }

    private static DateTimeOffset MinuteOf(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    [LoggerMessage(EventId = 170, Level = LogLevel.Error, Message = "{Count} notification(s) of type {Type} could not be queued")]
    private partial void LogQueueFailed(Exception exception, int count, string type);
}
