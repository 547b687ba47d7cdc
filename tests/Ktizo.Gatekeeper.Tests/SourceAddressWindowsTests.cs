using System.Net;
using Ktizo.Gatekeeper.Http;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>The per-address fixed windows behind the rate limit: exact counts, under contention and across sweeps.</summary>
public sealed class SourceAddressWindowsTests
{
    private static readonly IPAddress Machine = IPAddress.Parse("10.0.5.11");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.5.12");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void GrantsThePermits_RefusesTheNext_AndGrantsAgainWhenTheWindowTurns()
    {
        var windows = new SourceAddressWindows(3, TimeSpan.FromMinutes(1), _time);

        Assert.Equal([true, true, true, false, false], Acquire(windows, Machine, 5));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(windows.TryAcquire(Machine));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([true, true, true, false], Acquire(windows, Machine, 4));
    }

    [Fact]
    public void EachAddressHasItsOwnWindow()
    {
        var windows = new SourceAddressWindows(2, TimeSpan.FromMinutes(1), _time);

        Assert.Equal([true, true, false], Acquire(windows, Machine, 3));
        Assert.Equal([true, true, false], Acquire(windows, Other, 3));
        Assert.Equal([true], Acquire(windows, IPAddress.IPv6Loopback, 1));
    }

    [Fact]
    public void Sweep_ForgetsAddressesQuietForAWindow_AndKeepsTheCountOfOnesHeardFromInThisOne()
    {
        var windows = new SourceAddressWindows(3, TimeSpan.FromMinutes(1), _time);
        Acquire(windows, Machine, 2);
        Acquire(windows, Other, 1);

        windows.Sweep();
        Assert.Equal(2, windows.Count); // both heard from in this window

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(windows.TryAcquire(Machine));
        windows.Sweep();
        Assert.Equal(1, windows.Count); // Other went quiet

        // Machine's count in this window survived the sweep: one taken, two left.
        Assert.Equal([true, true, false], Acquire(windows, Machine, 3));
        // Other starts afresh.
        Assert.Equal([true, true, true, false], Acquire(windows, Other, 4));
    }

    [Fact]
    public void UnderContentionWithSweeps_EveryWindowGrantsEachAddressExactlyItsPermits()
    {
        const int permits = 2_000;
        const int takers = 4;
        var addresses = Enumerable.Range(1, 16).Select(i => new IPAddress([10, 0, 6, (byte)i])).ToArray();
        var windows = new SourceAddressWindows(permits, TimeSpan.FromSeconds(1), _time);

        for (var round = 0; round < 10; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var granted = new int[addresses.Length];
            var sweeping = true;
            // Threads, not tasks, released together: the takers really do race each other for the same counters,
            // and right after the window turns the sweeper retires last window's counters as the takers find them.
            using var start = new Barrier(takers + 1);
            var sweeper = new Thread(() =>
            {
                start.SignalAndWait();
                while (Volatile.Read(ref sweeping))
                {
                    windows.Sweep();
                }
            });
            // Exactly as many attempts as permits: a permit lost shows as one short, one granted twice as one refused too few.
            var threads = Enumerable.Range(0, takers).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < permits / takers; i++)
                {
                    for (var a = 0; a < addresses.Length; a++)
                    {
                        if (windows.TryAcquire(addresses[a]))
                        {
                            Interlocked.Increment(ref granted[a]);
                        }
                    }
                }
            })).ToArray();
            sweeper.Start();
            Array.ForEach(threads, thread => thread.Start());
            Array.ForEach(threads, thread => thread.Join());
            Volatile.Write(ref sweeping, false);
            sweeper.Join();

            Assert.All(granted, count => Assert.Equal(permits, count));
            Assert.All(addresses, address => Assert.False(windows.TryAcquire(address)));
        }
    }

    private static bool[] Acquire(SourceAddressWindows windows, IPAddress address, int times) =>
        [.. Enumerable.Range(0, times).Select(_ => windows.TryAcquire(address))];
}
