using Ktizo.Gatekeeper.Observability;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// Whether the store takes new machines (issue 15, finding 7). A failed first sighting starts an episode: counted
/// (<c>ktizo_store_failures_total</c>, <c>ktizo_store_failing</c>), logged once, shown in /readyz (503 while it
/// lasts), and it wakes <see cref="StoreWriteProbe"/>. The next successful write ends it, logged once.
/// </summary>
public sealed partial class StoreHealth
{
    private readonly Lock _lock = new();
    private readonly Counter _failures;
    private readonly Gauge _failing;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreHealth> _logger;
    private readonly SemaphoreSlim _episodeStarted = new(0, 1);
    private volatile StoreHealthView _view = StoreHealthView.Writable;

    public StoreHealth(GatekeeperMetrics metrics, TimeProvider time, ILogger<StoreHealth> logger)
    {
        _time = time;
        _logger = logger;
        _failures = metrics.Factory.CreateCounter("ktizo_store_failures_total", "Writes to the device store that failed (first sightings and probes).");
        _failing = metrics.Factory.CreateGauge("ktizo_store_failing", "1 while the device store cannot record new machines.");
    }

    /// <summary>True while the last write failed: new machines get 503 and /readyz is 503.</summary>
    public bool Failing => _view.Failing;

    public StoreHealthView View => _view;

    public void Failed(Exception exception)
    {
        _failures.Inc();
        lock (_lock)
        {
            var was = _view;
            _view = new StoreHealthView(true, was.FailingSince ?? _time.GetUtcNow(), was.Failures + 1, exception.Message);
            if (was.Failing)
            {
                return;
            }
        }

        _failing.Set(1);
        LogFailing(exception);
        if (_episodeStarted.CurrentCount == 0)
        {
            try
            {
                _episodeStarted.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: the probe is on its way.
            }
        }
    }

    public void Succeeded()
    {
        if (!_view.Failing)
        {
            return;
        }

        StoreHealthView ended;
        lock (_lock)
        {
            ended = _view;
            if (!ended.Failing)
            {
                return;
            }

            _view = StoreHealthView.Writable;
        }

        _failing.Set(0);
        LogRecovered(ended.Failures, (_time.GetUtcNow() - ended.FailingSince!.Value).TotalSeconds);
    }

    /// <summary>Completes when an episode starts (honours <paramref name="cancellationToken"/>).</summary>
    internal Task WaitForEpisodeAsync(CancellationToken cancellationToken) => _episodeStarted.WaitAsync(cancellationToken);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "The device store cannot record new machines; they get 503 and /readyz is 503 until a write succeeds (logged once per episode)")]
    private partial void LogFailing(Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "The device store records new machines again, after {Failures} failed writes in {Seconds:0.#} s")]
    private partial void LogRecovered(long failures, double seconds);
}

/// <summary>The store's health as /readyz shows it to signed-in callers.</summary>
public sealed record StoreHealthView(bool Failing, DateTimeOffset? FailingSince, long Failures, string? LastError)
{
    public static readonly StoreHealthView Writable = new(false, null, 0, null);
}
