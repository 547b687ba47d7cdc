using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Serving;
using Ktizo.GitHub;
using Ktizo.Store;
using Prometheus;

namespace Ktizo.Gatekeeper.Observability;

/// <summary>
/// The gatekeeper's Prometheus metrics, in a registry of its own (so several gatekeepers in one
/// process, as in tests, do not share counters). Request counts by route and status come from
/// prometheus-net's HTTP middleware on the same registry. Names are listed in docs/gatekeeper.md.
/// </summary>
public sealed class GatekeeperMetrics
{
    private readonly Counter _configRequests;
    private readonly Counter _syncs;
    private readonly Gauge _servedCommit;
    private readonly Gauge _devices;
    private readonly Gauge _lastSyncAge;
    private readonly Gauge _drifted;
    private readonly Gauge _renderFailing;
    private readonly Gauge _renderErrors;
    private string? _servedCommitLabel;

    /// <param name="github">refusals and parking of the GitHub worker (Ktizo.GitHub); none counted when null</param>
    public GatekeeperMetrics(ServingState state, DeviceStore store, TimeProvider time, GitHubHealth? github = null)
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);

        _configRequests = Factory.CreateCounter(
            "ktizo_config_requests_total", "Config requests answered, by result: served, pending, rejected, unavailable, bad_request.", ["result"]);
        ConfigServed = _configRequests.WithLabels("served");
        ConfigPending = _configRequests.WithLabels("pending");
        ConfigRejected = _configRequests.WithLabels("rejected");
        ConfigUnavailable = _configRequests.WithLabels("unavailable");
        ConfigBadRequest = _configRequests.WithLabels("bad_request");
        ConfigDownloads = Factory.CreateCounter("ktizo_config_downloads_total", "Configs served (200) to approved devices.");
        UuidDropped = Factory.CreateCounter("ktizo_uuid_dropped_total", "uuid values that were not a UUID: dropped, never stored; the request was answered as without one.");

        _syncs = Factory.CreateCounter("ktizo_sync_total", "Sync attempts, by result: success, fetch_failed, render_failed.", ["result"]);
        SyncSuccess = _syncs.WithLabels("success");
        SyncFetchFailed = _syncs.WithLabels("fetch_failed");
        SyncRenderFailed = _syncs.WithLabels("render_failed");
        RenderDuration = Factory.CreateHistogram(
            "ktizo_render_duration_seconds",
            "Time to validate and render one commit.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        _renderFailing = Factory.CreateGauge("ktizo_render_failing", "1 while the newest commit of the branch fails validation and an older one is served.");
        _renderErrors = Factory.CreateGauge("ktizo_render_errors", "Errors in the newest commit that failed validation (0 when it is served).");
        _servedCommit = Factory.CreateGauge("ktizo_served_commit_info", "The commit being served (value 1, sha in the label).", ["commit"]);
        _devices = Factory.CreateGauge("ktizo_devices", "Devices by status: approved and rejected from git, pending = seen but not in git.", ["status"]);
        _lastSyncAge = Factory.CreateGauge("ktizo_last_sync_age_seconds", "Seconds since the last successful fetch from the remote (-1 before the first).");

        var refusals = Factory.CreateCounter(
            "ktizo_github_refusals_total", "Requests GitHub refused, by reason: issues_disabled, not_accessible (both park the worker), secondary_limit, primary_limit.", ["reason"]);
        var githubParked = Factory.CreateGauge("ktizo_github_parked", "1 while the GitHub worker waits out a refusal only a person can fix (GitHub:RefusedBackoff).");
        var headersMissing = Factory.CreateGauge("ktizo_github_rate_limit_headers_missing", "1 when GitHub answers without x-ratelimit-* headers (Enterprise Server, limits off): Ktizo paces by its own budgets.");
        var refusalsByReason = GitHubHealth.Reasons.Select(r => (r.Reason, Child: refusals.WithLabels(r.Label))).ToList();
        _drifted = Factory.CreateGauge("ktizo_devices_drifted", "Approved machines whose last download differs from what the served commit renders for them (docs/drift.md).");

        // Values that are cheaper to compute when scraped than to keep current.
        Registry.AddBeforeCollectCallback(() =>
        {
            if (github is not null)
            {
                foreach (var (reason, child) in refusalsByReason)
                {
                    child.IncTo(github.Refusals(reason));
                }

                githubParked.Set(github.Parked is null ? 0 : 1);
                headersMissing.Set(github.RateLimitHeadersMissing ? 1 : 0);
            }

            var snapshot = state.Snapshot;
            var approved = snapshot?.Set.Approved.Count ?? 0;
            var rejected = snapshot?.Set.Rejected.Count ?? 0;
            var pending = 0;
            foreach (var mac in store.KnownMacs)
            {
                if (snapshot is null || snapshot.Set.StatusOf(mac) == DeviceStatus.Pending)
                {
                    pending++;
                }
            }

            _devices.WithLabels("approved").Set(approved);
            _devices.WithLabels("rejected").Set(rejected);
            _devices.WithLabels("pending").Set(pending);
            _drifted.Set(Devices.DeviceDrift.CountDrifted(snapshot, store));

            var status = state.Status;
            _lastSyncAge.Set(status.LastFetchSuccess is { } success ? (time.GetUtcNow() - success).TotalSeconds : -1);
        });
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    public Counter.Child ConfigServed { get; }

    public Counter.Child ConfigPending { get; }

    public Counter.Child ConfigRejected { get; }

    public Counter.Child ConfigUnavailable { get; }

    public Counter.Child ConfigBadRequest { get; }

    public Counter ConfigDownloads { get; }

    public Counter UuidDropped { get; }

    public Counter.Child SyncSuccess { get; }

    public Counter.Child SyncFetchFailed { get; }

    public Counter.Child SyncRenderFailed { get; }

    public Histogram RenderDuration { get; }

    public void Served(string commit)
    {
        if (_servedCommitLabel is { } old && old != commit)
        {
            _servedCommit.RemoveLabelled(old);
        }

        _servedCommit.WithLabels(commit).Set(1);
        _servedCommitLabel = commit;
    }

    public void RenderFailing(int errors)
    {
        _renderFailing.Set(errors > 0 ? 1 : 0);
        _renderErrors.Set(errors);
    }
}
