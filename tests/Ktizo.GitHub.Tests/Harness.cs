using Ktizo.Core.Settings;
using System.Collections.Concurrent;
using Ktizo.Core;
using Ktizo.Core.Registry;
using Ktizo.Testing.GitHub;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>Logs into the test output and keeps every line, exceptions included, for assertions.</summary>
public sealed class CapturingLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : "\n" + exception)}";
            provider._lines.Enqueue(line);
            try
            {
                provider.Output?.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test finished while a background worker was still logging.
            }
        }
    }

    private ITestOutputHelper? Output => output;
}

/// <summary>
/// One stand-in, one accelerated clock (1000×: a second of GitHub time is a millisecond), and
/// factories for services and workers the way the gatekeeper would wire them.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly List<(PendingIssueWorker Worker, CancellationTokenSource Stop)> _workers = [];

    private Harness(GitHubStandIn standIn, AcceleratedTimeProvider clock, CapturingLoggerProvider logs)
    {
        StandIn = standIn;
        Clock = clock;
        Logs = logs;
        Loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
    }

    public GitHubStandIn StandIn { get; }

    public AcceleratedTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory Loggers { get; }

    public static async Task<Harness> StartAsync(ITestOutputHelper output, double factor = 1000)
    {
        var clock = new AcceleratedTimeProvider(factor);
        var standIn = await GitHubStandIn.StartAsync(clock);
        return new Harness(standIn, clock, new CapturingLoggerProvider(output));
    }

    public GitHubOptions Options(Action<GitHubOptions>? configure = null)
    {
        var options = new GitHubOptions
        {
            Repository = $"{StandIn.Owner}/{StandIn.Name}",
            ApiBaseUrl = StandIn.BaseUri,
            // Short backoffs in GitHub time; still far above the stand-in's answer time.
            FailureBackoff = (Duration)TimeSpan.FromSeconds(2),
            MaxFailureBackoff = (Duration)TimeSpan.FromMinutes(2),
        };
        configure?.Invoke(options);
        return options;
    }

    public GitHubRepository Repository(GitHubOptions options, string? token = null, TimeProvider? clock = null) =>
        new(options, token ?? StandIn.Token, clock ?? Clock, Loggers);

    /// <param name="clock">the replica's own clock; the stand-in's by default</param>
    public GitHubPendingDeviceIssues Service(
        IIssueOutbox outbox, GitHubOptions? options = null, TimeSpan? reconcileInterval = null, TimeProvider? clock = null, TimeSpan? listingMaxAge = null,
        IContestOutbox? contests = null)
    {
        var own = clock ?? Clock;
        return new(Repository(options ?? Options(), clock: own), outbox, own, Loggers.CreateLogger<GitHubPendingDeviceIssues>(), contests)
        {
            ReconcileInterval = reconcileInterval ?? TimeSpan.FromMinutes(1),
            ListingMaxAge = listingMaxAge ?? GitHubPendingDeviceIssues.DefaultListingMaxAge,
        };
    }

    /// <summary>The issue listings the stand-in answered, oldest first.</summary>
    public IReadOnlyList<StandInRequest> Listings() =>
        StandIn.Requests.Where(r => r is { Method: "GET", Path: "/repos/acme/cluster/issues" }).ToList();

    public PendingIssueWorker StartWorker(IPendingDeviceIssues service, GitHubOptions options)
    {
        var health = (service as GitHubPendingDeviceIssues)?.Health;
        var worker = new PendingIssueWorker(service, new PendingIssueSignal(), options, Clock, Loggers.CreateLogger<PendingIssueWorker>(), health);
        var stop = new CancellationTokenSource();
        _workers.Add((worker, stop));
        _ = worker.StartAsync(stop.Token);
        return worker;
    }

    public async Task StopWorkerAsync(PendingIssueWorker worker)
    {
        var entry = _workers.Single(w => w.Worker == worker);
        await entry.Stop.CancelAsync();
        await worker.StopAsync(CancellationToken.None);
        _workers.Remove(entry);
    }

    public static IReadOnlyList<PendingSighting> Sightings(int count, int offset = 0, DateTimeOffset? at = null)
    {
        var start = at ?? new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(offset, count)
            .Select(i => new PendingSighting(
                MacAddress.FromValue(0x5254_0000_0000UL + (ulong)i),
                start.AddMilliseconds(i),
                $"10.0.5.{(i % 200) + 20}",
                $"4c4c4544-0000-1000-8000-{i:x12}",
                "Talos/v1.12.0"))
            .ToList();
    }

    /// <summary>Waits in real time for <paramref name="condition"/>; fails with <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task WaitForAsync(Func<bool> condition, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Open places per MAC on the stand-in: single issues plus unticked digest lines.</summary>
    public Dictionary<MacAddress, List<int>> OpenPlaces()
    {
        var places = new Dictionary<MacAddress, List<int>>();
        foreach (var issue in StandIn.Issues.Where(i => i.State == "open" && !i.IsPullRequest))
        {
            var parsed = PendingIssueText.Parse(issue.Title, issue.Body);
            var macs = parsed.DigestEntries?.Where(e => !e.Done).Select(e => e.Mac)
                ?? (parsed.Mac is { } m ? [m] : []);
            foreach (var mac in macs)
            {
                (places.TryGetValue(mac, out var list) ? list : places[mac] = []).Add(issue.Number);
            }
        }

        return places;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (worker, stop) in _workers.ToList())
        {
            await stop.CancelAsync();
            await worker.StopAsync(CancellationToken.None);
        }

        await StandIn.DisposeAsync();
        Loggers.Dispose();
    }
}
