using System.Net.Http.Headers;
using Ktizo.Core.Notifications;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Hosting;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Ktizo.Gatekeeper.Notifications;

/// <summary>
/// Delivers the notification outbox. Each receiver has a loop of its own, so a slow or dead one never holds up the
/// others, and takes its queue strictly in order: the head row is sent until the receiver answers 2xx, then deleted,
/// then the next. Any other answer (or none within the timeout) is a failed attempt, retried after
/// <see cref="ExponentialBackoff"/> with the same body and event id. Rows leave the queue only once delivered, so a
/// restart, however it comes, resends at most the one in flight.
/// </summary>
public sealed partial class NotificationWorker : BackgroundService
{
    /// <summary>Bytes of a failed answer's body read for the log; the rest is never read.</summary>
    internal const int MaxResponseBodyRead = 512;

    private const int BatchSize = 50;

    private readonly Notifier _notifier;
    private readonly NotificationDeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationWorker> _logger;
    private readonly HttpClient _http;
    private readonly Dictionary<string, SemaphoreSlim> _wakes = new(StringComparer.Ordinal);
    private readonly Counter _delivered;
    private readonly Counter _failed;
    private readonly Counter _dropped;
    private readonly Gauge _queued;

    public NotificationWorker(Notifier notifier, NotificationDeliveryOptions options, GatekeeperMetrics metrics, TimeProvider time, ILogger<NotificationWorker> logger)
    {
        _notifier = notifier;
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a receiver that redirects is misconfigured; following would resend the signed body elsewhere
            ConnectTimeout = options.Timeout.Value,
            MaxResponseHeadersLength = 16, // KiB
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = options.Timeout.Value,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Ktizo-Notifications", "1"));
        _delivered = metrics.Factory.CreateCounter("ktizo_notifications_delivered_total", "Notifications a receiver answered 2xx, by receiver position.", ["receiver"]);
        _failed = metrics.Factory.CreateCounter("ktizo_notifications_failed_attempts_total", "Delivery attempts that failed (no answer in time, or not 2xx), by receiver position.", ["receiver"]);
        _dropped = metrics.Factory.CreateCounter("ktizo_notifications_dropped_total", "Undelivered notifications dropped because a receiver's queue was full, by receiver position.", ["receiver"]);
        _queued = metrics.Factory.CreateGauge("ktizo_notifications_queued", "Notifications waiting for delivery, by receiver position.", ["receiver"]);
        foreach (var receiver in notifier.Receivers)
        {
            _wakes[receiver.Key] = new SemaphoreSlim(0, 1);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_notifier.Outbox is not { } outbox)
        {
            return;
        }

        try
        {
            var forgotten = await outbox.ForgetReceiversAsync([.. _notifier.Receivers.Select(r => r.Key)], stoppingToken).ConfigureAwait(false);
            if (forgotten > 0)
            {
                LogForgotten(forgotten);
            }

            var loops = _notifier.Receivers.Select(r => ReceiverLoopAsync(outbox, r, stoppingToken)).ToList();
            loops.Add(DispatchAsync(outbox, stoppingToken));
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Wakes every receiver's loop when something was queued, closes finished minutes' folds, and keeps the gauges.
    private async Task DispatchAsync(NotificationOutbox outbox, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _notifier.ExpandFoldsAsync(stoppingToken).ConfigureAwait(false);
                var depth = await outbox.DepthAsync(stoppingToken).ConfigureAwait(false);
                foreach (var receiver in _notifier.Receivers)
                {
                    var label = Label(receiver);
                    _queued.WithLabels(label).Set(depth.TryGetValue(receiver.Key, out var n) ? n : 0);
                    _dropped.WithLabels(label).IncTo(outbox.Dropped(receiver.Key));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(ex);
            }

            if (await SignalOrTimeout.WaitAsync(_notifier.WaitAsync, _options.PollInterval.Value, _time, stoppingToken).ConfigureAwait(false))
            {
                foreach (var wake in _wakes.Values)
                {
                    Release(wake);
                }
            }
        }
    }

    private async Task ReceiverLoopAsync(NotificationOutbox outbox, NotificationReceiver receiver, CancellationToken stoppingToken)
    {
        var backoff = new ExponentialBackoff(_options.RetryBackoff.Value, _options.MaxRetryBackoff.Value);
        var failures = 0;
        var wake = _wakes[receiver.Key];
        var storeFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                failures = await DeliverHeadAsync(outbox, receiver, backoff, failures, wake, stoppingToken).ConfigureAwait(false);
                storeFailures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store cannot be read or written (a full disk): the queue stays as it is; try again later.
                LogPassFailed(ex);
                await Task.Delay(backoff.After(++storeFailures), _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the head of the queue until it is empty or an attempt fails; returns the failures in a row.</summary>
    private async Task<int> DeliverHeadAsync(
        NotificationOutbox outbox, NotificationReceiver receiver, ExponentialBackoff backoff, int failures, SemaphoreSlim wake, CancellationToken stoppingToken)
    {
        var head = await outbox.HeadAsync(receiver.Key, BatchSize, stoppingToken).ConfigureAwait(false);
        var failed = false;
        foreach (var row in head)
        {
            var problem = await SendAsync(receiver, row, stoppingToken).ConfigureAwait(false);
            if (problem is null)
            {
                await outbox.DeliveredAsync(row.Sequence, stoppingToken).ConfigureAwait(false);
                _delivered.WithLabels(Label(receiver)).Inc();
                if (failures > 0)
                {
                    LogRecovered(receiver.Label, failures);
                    failures = 0;
                }

                continue;
            }

            failures++;
            failed = true;
            _failed.WithLabels(Label(receiver)).Inc();
            await outbox.AttemptFailedAsync(row.Sequence, stoppingToken).ConfigureAwait(false);
            var wait = backoff.After(failures);
            LogAttemptFailed(receiver.Label, row.Type, row.EventId, row.Attempts + 1, problem, wait);
            await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
            break;
        }

        if (!failed && head.Count < BatchSize)
        {
            // Drained: sleep until something is queued (or the poll interval, in case a wake was missed).
            await SignalOrTimeout.WaitAsync(wake.WaitAsync, _options.PollInterval.Value, _time, stoppingToken).ConfigureAwait(false);
        }

        return failures;
    }

    /// <summary>One attempt; null when the receiver answered 2xx, else what went wrong (for the log: no URL, no secret).</summary>
    private async Task<string?> SendAsync(NotificationReceiver receiver, QueuedNotification row, CancellationToken stoppingToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new ByteArrayContent(row.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(NotificationSignature.EventIdHeader, row.EventId);
        request.Headers.Add(NotificationSignature.EventTypeHeader, row.Type);
        if (receiver.Secret is { } secret)
        {
            request.Headers.Add(NotificationSignature.Header, NotificationSignature.Sign(secret, row.Body));
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            return $"HTTP {(int)response.StatusCode}: {await ReadSomeAsync(response, stoppingToken).ConfigureAwait(false)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !stoppingToken.IsCancellationRequested)
        {
            // The message of HttpRequestException names host and port, never the path or the secret.
            return ex is TaskCanceledException ? $"no answer within {_options.Timeout}" : $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxResponseBodyRead];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            return new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            return "(body unreadable)";
        }
    }

    private static string Label(NotificationReceiver receiver) => receiver.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Release(SemaphoreSlim wake)
    {
        if (wake.CurrentCount == 0)
        {
            try
            {
                wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    [LoggerMessage(EventId = 171, Level = LogLevel.Warning, Message = "Notification to receiver {Receiver} failed ({Type} {EventId}, attempt {Attempt}): {Problem}; next try in {Wait}")]
    private partial void LogAttemptFailed(string receiver, string type, string eventId, int attempt, string problem, TimeSpan wait);

    [LoggerMessage(EventId = 172, Level = LogLevel.Information, Message = "Receiver {Receiver} takes notifications again after {Failures} failed attempts")]
    private partial void LogRecovered(string receiver, int failures);

    [LoggerMessage(EventId = 173, Level = LogLevel.Information, Message = "{Rows} queued notifications of receivers no longer configured were deleted")]
    private partial void LogForgotten(int rows);

    [LoggerMessage(EventId = 174, Level = LogLevel.Error, Message = "The notification outbox could not be read or written")]
    private partial void LogPassFailed(Exception exception);
}
