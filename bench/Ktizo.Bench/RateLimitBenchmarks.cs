using System.Net;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Ktizo.Gatekeeper.Http;

namespace Ktizo.Bench;

/// <summary>
/// The per-address rate limit's cost per request: System.Threading.RateLimiting's partitioned fixed windows (the
/// gatekeeper's until docs/benchmarks.md item 13) against <see cref="SourceAddressWindows"/>, from one thread and
/// from two taking from the same address at once, as the gatekeeper's pool threads do under wrk (one source address).
/// </summary>
public class RateLimitBenchmarks
{
    private const int PerThread = 200_000;
    private static readonly IPAddress Address = IPAddress.Loopback;

    private PartitionedRateLimiter<IPAddress> _partitioned = null!;
    private SourceAddressWindows _windows = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Never refused: what is measured is the asking.
        var options = new FixedWindowRateLimiterOptions { PermitLimit = int.MaxValue, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 };
        Func<IPAddress, RateLimiter> newLimiter = _ => new FixedWindowRateLimiter(options);
        _partitioned = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.Get(address, newLimiter));
        _windows = new SourceAddressWindows(int.MaxValue, TimeSpan.FromSeconds(1), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _partitioned.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = PerThread)]
    public void Partitioned() => OnThreads(() =>
    {
        using var lease = _partitioned.AttemptAcquire(Address);
        return lease.IsAcquired;
    });

    [Benchmark(OperationsPerInvoke = PerThread)]
    public void Windows() => OnThreads(() => _windows.TryAcquire(Address));

    // Time per acquisition on each thread (threads run at once, so two threads' figure includes their contention).
    private void OnThreads(Func<bool> acquire)
    {
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                if (!acquire())
                {
                    throw new InvalidOperationException("refused: the benchmark's limit is never meant to be reached");
                }
            }
        })).ToArray();
        Array.ForEach(threads, thread => thread.Start());
        Array.ForEach(threads, thread => thread.Join());
    }
}
