using Ktizo.Hosting;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>Wakes the <see cref="RulesWorker"/> on a first sighting; one wake-up covers any number of sightings.</summary>
public sealed class RuleSignal
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
            // Already signalled.
        }
    }

    /// <summary>True when woken, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken) =>
        SignalOrTimeout.WaitAsync(_signal.WaitAsync, timeout, clock, cancellationToken);
}
