namespace Ktizo.Hosting;

/// <summary>
/// The one backoff policy of Ktizo's background loops: <see cref="First"/> after the first failure in a row,
/// doubling with each further one, never above <see cref="Cap"/> (a first wait above the cap gives the cap).
/// </summary>
public readonly record struct ExponentialBackoff(TimeSpan First, TimeSpan Cap)
{
    /// <summary>The wait after <paramref name="failures"/> failures in a row (1 or more; less counts as 1).</summary>
    public TimeSpan After(int failures)
    {
        // In doubles: 2^62 ticks of anything overflows a TimeSpan, the cap never does.
        var ticks = First.Ticks * Math.Pow(2, Math.Clamp(failures - 1, 0, 62));
        return ticks >= Cap.Ticks ? Cap : TimeSpan.FromTicks((long)ticks);
    }
}
