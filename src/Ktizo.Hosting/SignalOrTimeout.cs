namespace Ktizo.Hosting;

/// <summary>The one "sleep until signalled or until the wait runs out" of Ktizo's background loops.</summary>
public static class SignalOrTimeout
{
    /// <summary>
    /// Starts <paramref name="signal"/> and a delay of <paramref name="timeout"/> on <paramref name="clock"/>; when
    /// either ends, cancels the other and waits for both, so nothing is left running. True when the signal
    /// completed (even if the delay ended at the same moment: a semaphore it acquired must be counted), false on
    /// timeout or when <paramref name="cancellationToken"/> was cancelled (the caller checks its token; never throws
    /// for it).
    /// </summary>
    /// <param name="signal">Waits for the signal, honouring the token it is given (a channel's WaitToReadAsync, a semaphore's WaitAsync).</param>
    public static async Task<bool> WaitAsync(
        Func<CancellationToken, Task> signal, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, clock, cts.Token);
        var signalled = signal(cts.Token);
        await Task.WhenAny(signalled, delay).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await signalled.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
