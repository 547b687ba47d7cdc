using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Store;

/// <summary>
/// Writes the store's in-memory counters every <c>interval</c>, and once more on shutdown, so a
/// machine retrying every second costs one row update per interval instead of one per request.
/// </summary>
public sealed partial class DeviceStoreFlusher(DeviceStore store, TimeSpan interval, TimeProvider time, ILogger<DeviceStoreFlusher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            var changed = await store.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (changed > 0)
            {
                LogFlushed(changed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The counters stay in memory and the next flush retries; serving goes on.
            LogFlushFailed(ex, store.Path);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Device store flushed {Devices} devices")]
    private partial void LogFlushed(int devices);

    [LoggerMessage(Level = LogLevel.Error, Message = "Device store flush to {Path} failed; will retry")]
    private partial void LogFlushFailed(Exception exception, string path);
}
