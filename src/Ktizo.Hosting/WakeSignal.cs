namespace Ktizo.Hosting;

/// <summary>
/// Wakes one background worker early: any number of <see cref="Notify"/> calls before it looks are one wake-up.
/// Each worker has a type of its own deriving from this, so each is registered and woken on its own.
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers any number of sightings.
        }
    }

    /// <summary>True when woken, false when <paramref name="timeout"/> (on <paramref name="clock"/>) passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        var woken = await SignalOrTimeout.WaitAsync(_signal.WaitAsync, timeout, clock, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return woken;
    }
}
