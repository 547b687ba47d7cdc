using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.GitHub;
using Ktizo.Store;
using Ktizo.Testing.GitHub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ktizo.Storm;

/// <summary>
/// What a boot storm costs on GitHub's side (docs/benchmarks.md, item 4): COUNT unknown machines at once in a
/// real SQLite store, the gatekeeper's GitHub worker with the given settings, against the stand-in's model of
/// GitHub (issue creation 20 a minute and 150 an hour, every other refusal without <c>retry-after</c>; content
/// 80 and 500), on an accelerated clock so that minutes of GitHub time take a fraction of a second each.
/// </summary>
public static class PaceRun
{
    /// <param name="issuesPerMinute">the worker's <c>MaxIssueCreationsPerMinute</c>; null keeps the default</param>
    /// <param name="maxOpen">the worker's <c>MaxOpenPendingIssues</c>; null keeps the default</param>
    /// <param name="timeline">gets every mutation and refusal with its GitHub time, when given</param>
    public static async Task<PaceResult> RunAsync(int count, double factor, int? issuesPerMinute, int? maxOpen, TimeSpan realTimeout, TextWriter? timeline = null)
    {
        var clock = new AcceleratedTimeProvider(factor);
        await using var standIn = await GitHubStandIn.StartAsync(clock);
        var folder = Directory.CreateTempSubdirectory("ktizo-pace-");
        try
        {
            using var store = DeviceStore.Open(Path.Combine(folder.FullName, "ktizo.db"), clock);
            using var outbox = SqliteIssueOutbox.Open(store);
            var options = new GitHubOptions { Repository = $"{standIn.Owner}/{standIn.Name}", ApiBaseUrl = standIn.BaseUri };
            if (issuesPerMinute is { } perMinute)
            {
                options.MaxIssueCreationsPerMinute = perMinute;
                options.MaxIssueCreationsPerHour = Math.Max(options.MaxIssueCreationsPerHour, perMinute);
            }

            options.MaxOpenPendingIssues = maxOpen ?? options.MaxOpenPendingIssues;

            using var loggers = LoggerFactory.Create(_ => { });
            var repo = new GitHubRepository(options, standIn.Token, clock, loggers);
            var issues = new GitHubPendingDeviceIssues(repo, outbox, clock, NullLogger<GitHubPendingDeviceIssues>.Instance);
            var signal = new PendingIssueSignal();
            var worker = new PendingIssueWorker(issues, signal, options, clock, NullLogger<PendingIssueWorker>.Instance, repo.Health);
            using var stop = new CancellationTokenSource();

            // As in the gatekeeper, the worker's first pass runs at start (labels, a warm connection), before any machine boots.
            await worker.StartAsync(stop.Token);
            var deadline = DateTime.UtcNow + realTimeout;
            while (worker.Passes == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            // The storm: every machine's first sighting, then the wake-up the gatekeeper sends after each.
            var start = clock.GetUtcNow();
            // All at once, as machines booting together arrive: the store group-commits them.
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => store.RecordAsync(
                MacAddress.FromValue(0x025B_0000_0000UL + (ulong)i), ObservationKind.Request, IPAddress.Parse($"10.0.{i / 200}.{(i % 200) + 20}"), "Talos/v1.12.0", null)));

            await outbox.ClassifyAsync(_ => DeviceStatus.Pending, CancellationToken.None);
            signal.Notify();
            IssueCensus census;
            while ((census = IssueCensus.Take(standIn)).Represented < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            var allThere = census.Represented >= count ? DateTimeOffset.FromUnixTimeMilliseconds(census.LastIssueChangeUnixMs) - start : (TimeSpan?)null;
            await stop.CancelAsync();
            await worker.StopAsync(CancellationToken.None);
            var requests = standIn.Requests;
            var creates = requests.Where(r => r is { Method: "POST" } && r.Path.EndsWith("/issues", StringComparison.Ordinal)).ToList();
            foreach (var r in requests.Where(r => (r.Mutating || r.Throttled) && r.At >= start))
            {
                timeline?.WriteLine($"{(r.At - start).TotalSeconds,8:F1} s  {r.Method,-5} {r.Path} {r.Status}{(r.Throttled ? " throttled" : string.Empty)}");
            }

            var storm = requests.Where(r => r.At >= start).ToList();
            return new PaceResult(
                count,
                options.MaxIssueCreationsPerMinute,
                options.MaxOpenPendingIssues,
                allThere,
                census,
                storm.Count,
                storm.Count(r => r.Mutating),
                storm.Count(r => r.Throttled),
                creates.Count(r => r.Status < 300),
                creates.Count(r => r.Throttled),
                IssueCensus.MaxInAnyMinute(creates.Where(r => r.Status < 300).Select(r => r.At).ToList()));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}

/// <param name="AllThere">GitHub time from the storm (the worker already running) to the last issue write once every MAC was on GitHub; null if not within the timeout</param>
/// <param name="Requests">requests sent from the storm on (the start-up pass's label requests excluded)</param>
/// <param name="Refused">of those, answered 403/429 for a limit</param>
/// <param name="IssuesCreated">issue creations GitHub accepted</param>
/// <param name="IssueCreationsRefused">issue creations refused by the creation limit (403, half without retry-after)</param>
/// <param name="MaxIssueCreationsPerMinute">most accepted issue creations in any 60 s</param>
public sealed record PaceResult(
    int Machines,
    int IssueBudgetPerMinute,
    int MaxOpen,
    TimeSpan? AllThere,
    IssueCensus Census,
    int Requests,
    int Mutations,
    int Refused,
    int IssuesCreated,
    int IssueCreationsRefused,
    int MaxIssueCreationsPerMinute)
{
    /// <summary>One line for the benchmark's log and docs/benchmarks.md.</summary>
    public override string ToString() =>
        $"{Machines} machines, worker budget {IssueBudgetPerMinute} issues/min, {MaxOpen} single issues before the digest: all on GitHub after "
        + (AllThere is { } t ? $"{t.TotalSeconds:F0} s" : "(not within the timeout)")
        + $" of GitHub time; {Requests} requests ({Mutations} mutations), {IssuesCreated} issues created "
        + $"({Census.SingleIssues} single, {Census.DigestIssues} digests with {Census.DigestLines} lines), "
        + $"{Refused} refused ({IssueCreationsRefused} issue creations), most issue creations in a minute {MaxIssueCreationsPerMinute}, "
        + $"{Census.Duplicates} duplicates";
}
