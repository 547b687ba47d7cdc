using Ktizo.Hosting;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// While the store fails, tries a write that needs new space (<see cref="DeviceStore.ProbeWriteAsync"/>) with
/// backoff, and ends the episode when one succeeds. Without it a replica whose /readyz is 503 gets no new machine
/// (a load balancer stops sending them) and so would never see the write that shows it recovered.
/// </summary>
public sealed class StoreWriteProbe(DeviceStore store, StoreHealth health, TimeProvider time) : BackgroundService
{
    public static readonly ExponentialBackoff Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A minute's timeout only so that a missed signal costs a minute at most.
            await SignalOrTimeout.WaitAsync(health.WaitForEpisodeAsync, TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(false);
            for (var attempt = 1; health.Failing && !stoppingToken.IsCancellationRequested; attempt++)
            {
                try
                {
                    await Task.Delay(Backoff.After(attempt), time, stoppingToken).ConfigureAwait(false);
                    await store.ProbeWriteAsync(stoppingToken).ConfigureAwait(false);
                    health.Succeeded();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    health.Failed(ex);
                }
            }
        }
    }
}
