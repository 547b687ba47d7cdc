using System.Diagnostics;

namespace Ktizo.Testing.GitHub;

/// <summary>
/// A clock that runs <see cref="Factor"/> times faster than real time, for code and the GitHub stand-in
/// alike: at 1000×, a one-second pause between requests takes a millisecond and an hour-long outage
/// 3.6 seconds, while every timestamp and wait stays consistent between client and server.
/// Timers fire after their due time divided by the factor (rounded to the platform's milliseconds,
/// so code must look at the clock again after waking, as production code should anyway).
/// </summary>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _start;
    private long _jumpTicks;

    public AcceleratedTimeProvider(double factor, DateTimeOffset? start = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1.0);
        Factor = factor;
        _start = start ?? new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);
    }

    public double Factor { get; }

    public override DateTimeOffset GetUtcNow() =>
        _start + TimeSpan.FromTicks((long)(Stopwatch.GetElapsedTime(_startTimestamp).Ticks * Factor) + Interlocked.Read(ref _jumpTicks));

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward at once. Timers already running keep their real-time schedule.</summary>
    public void Jump(TimeSpan by) => Interlocked.Add(ref _jumpTicks, by.Ticks);

    /// <summary>How long <paramref name="virtualTime"/> takes in real time.</summary>
    public TimeSpan Real(TimeSpan virtualTime) => TimeSpan.FromTicks((long)Math.Ceiling(virtualTime.Ticks / Factor));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ScaledTimer(callback, state, this);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ScaledTimer(TimerCallback callback, object? state, AcceleratedTimeProvider clock) : ITimer
    {
        private readonly Timer _timer = new(callback, state, Timeout.Infinite, Timeout.Infinite);

        public bool Change(TimeSpan dueTime, TimeSpan period) => _timer.Change(Scale(dueTime), Scale(period));

        public void Dispose() => _timer.Dispose();

        public ValueTask DisposeAsync() => _timer.DisposeAsync();

        private TimeSpan Scale(TimeSpan span) =>
            span == Timeout.InfiniteTimeSpan ? span : clock.Real(span < TimeSpan.Zero ? TimeSpan.Zero : span);
    }
}
