using System.Collections.Concurrent;
using System.Net;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// Fixed windows of permits per source address, without a lock: one compare-and-swap on a 64-bit word (window
/// number and permits taken) per request, and a lock-free dictionary read to find the word.
/// <para>
/// System.Threading.RateLimiting's partitioned fixed windows, which this replaces, take two locks per request
/// (the partition table, then the window), and every request from one address (a relay, a NAT, the bench's
/// load generator) contends on the same ones; a lock holder the VM preempts stalls them all. With them the limit
/// cost ~1.7 µs of CPU per config answer, now ~0.3 µs (docs/benchmarks.md, item 13; bench RateLimitBenchmarks).
/// </para>
/// </summary>
public sealed class SourceAddressWindows
{
    private readonly ConcurrentDictionary<IPAddress, Counter> _counters = new();
    private readonly int _permits;
    private readonly long _windowTicks;
    private readonly long _origin;
    private readonly TimeProvider _time;

    public SourceAddressWindows(int permits, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        _permits = permits;
        _windowTicks = Math.Max(1, (long)(window.TotalSeconds * time.TimestampFrequency));
        _time = time;
        // Window numbers count from here, so they stay small whatever the clock's epoch.
        _origin = time.GetTimestamp();
    }

    /// <summary>Addresses held: those heard from in the current window, and past ones not yet swept.</summary>
    public int Count => _counters.Count;

    /// <summary>Takes one permit from the address's current window; false once that window has none left.</summary>
    public bool TryAcquire(IPAddress address)
    {
        var window = CurrentWindow();
        while (true)
        {
            var counter = _counters.GetOrAdd(address, static _ => new Counter());
            switch (counter.TryTake(window, _permits))
            {
                case Take.Granted:
                    return true;
                case Take.Refused:
                    return false;
                default:
                    // Swept between the lookup and the take: drop it (if the sweeper has not yet) and start afresh.
                    _counters.TryRemove(KeyValuePair.Create(address, counter));
                    break;
            }
        }
    }

    /// <summary>
    /// Forgets the addresses not heard from in the current window, so the table holds only recent ones. A counter
    /// is retired before it is removed, and a take never lands on a retired one, so no permit is lost or granted twice.
    /// </summary>
    public void Sweep()
    {
        var window = CurrentWindow();
        foreach (var (address, counter) in _counters)
        {
            if (counter.TryRetire(window))
            {
                _counters.TryRemove(KeyValuePair.Create(address, counter));
            }
        }
    }

    private long CurrentWindow() => (_time.GetTimestamp() - _origin) / _windowTicks;

    private enum Take
    {
        Granted,
        Refused,
        Retired,
    }

    private sealed class Counter
    {
        private const long Retired = long.MinValue;

        // The window's number in the high 32 bits, the permits taken in it in the low 32; Retired once swept.
        private long _state;

        public Take TryTake(long window, int permits)
        {
            while (true)
            {
                var old = Volatile.Read(ref _state);
                if (old == Retired)
                {
                    return Take.Retired;
                }

                long next;
                // A window older than ours turns over. A newer one (another thread read the clock later) counts as ours.
                if (old >> 32 < window)
                {
                    next = (window << 32) | 1;
                }
                else if ((int)old >= permits)
                {
                    return Take.Refused;
                }
                else
                {
                    next = old + 1;
                }

                if (Interlocked.CompareExchange(ref _state, next, old) == old)
                {
                    return Take.Granted;
                }
            }
        }

        public bool TryRetire(long window)
        {
            var old = Volatile.Read(ref _state);
            return old != Retired && old >> 32 < window && Interlocked.CompareExchange(ref _state, Retired, old) == old;
        }
    }
}
