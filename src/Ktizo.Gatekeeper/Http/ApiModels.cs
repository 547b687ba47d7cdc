using System.Text.Json;
using System.Text.Json.Serialization;
using Ktizo.Core.Drift;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Devices;

namespace Ktizo.Gatekeeper.Http;

/// <summary>JSON as the API speaks it: snake_case names, nulls left out.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}

/// <summary>Body of <c>POST /api/v1/config/download</c>.</summary>
public sealed record ConfigRequest(string? MacAddress);

/// <summary>Body of <c>POST /api/v1/devices/register</c>. Only the MAC is required.</summary>
public sealed record RegisterRequest(string? MacAddress, string? Uuid);

/// <summary>One device: its status from git joined with what the store observed.</summary>
public sealed record DeviceView(
    string Mac,
    string Status,
    string? Hostname,
    string? File,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    long RequestCount,
    string? LastAddress,
    string? LastUserAgent,
    string? Uuid,
    bool Registered,
    DecisionView? Approval,
    DecisionView? Rejection,
    DateTimeOffset? LastDownload,
    long DownloadCount,
    DriftView? Drift)
{
    public static DeviceView Of(DeviceReading device)
    {
        var decision = device.Decision is { } d ? new DecisionView(d.Commit, d.Time, d.Author, d.PullRequest) : null;
        var record = device.Record;
        return new DeviceView(
            device.Mac.ToString(),
            device.Status.Name(),
            device.Hostname,
            device.File,
            record?.FirstSeen,
            record?.LastSeen,
            record?.RequestCount ?? 0,
            record?.LastAddress,
            record?.LastUserAgent,
            record?.Uuid,
            record?.Registered ?? false,
            device.Status == DeviceStatus.Approved ? decision : null,
            device.Status == DeviceStatus.Rejected ? decision : null,
            record?.LastDownload,
            record?.DownloadCount ?? 0,
            DriftView.Of(device.Drift));
    }
}

/// <summary>
/// An approved device against git (docs/drift.md): <c>state</c> is <c>in_sync</c>, <c>drifted</c> or <c>never_downloaded</c>;
/// the last download; for a drifted one the commit (and pull request) since which git renders other bytes.
/// </summary>
public sealed record DriftView(
    string State,
    string CurrentHash,
    string? ServedCommit,
    string? ServedHash,
    DateTimeOffset? ServedAt,
    string? SinceCommit,
    int? SincePullRequest,
    DateTimeOffset? SinceTime)
{
    public static DriftView? Of(DeviceDrift? drift) => drift is null
        ? null
        : new DriftView(
            drift.State.Name(), drift.CurrentHash, drift.LastServed?.Commit, drift.LastServed?.ConfigHash, drift.LastServed?.Time,
            drift.Since?.Commit, drift.Since?.PullRequest, drift.Since?.Time);
}

/// <summary>One served answer of <c>GET /api/v1/devices/{mac}/history</c>.</summary>
public sealed record ServedView(string Commit, string ConfigHash, int? PullRequest, string? PullRequestUrl, DateTimeOffset Time, string? Address);

/// <summary>A page of a device's served history, newest first; <c>next</c> is the URL of the older entries, absent on the last page.</summary>
public sealed record HistoryView(string Mac, int Kept, IReadOnlyList<ServedView> Entries, string? Next);

/// <summary>The commit that added a device file: for an approved device, its approval.</summary>
public sealed record DecisionView(string Commit, DateTimeOffset Time, string Author, int? PullRequest);

/// <summary>One page of devices; <c>next</c> is the URL of the following page, absent on the last.</summary>
public sealed record DeviceListView(string? Commit, IReadOnlyList<DeviceView> Devices, string? Next);

/// <summary>What /readyz and POST /api/v1/sync answer to viewers and admins.</summary>
public sealed record ReadinessView(
    bool Ready,
    string Branch,
    string? Commit,
    DateTimeOffset? ServedSince,
    string? ServedFrom,
    string? RemoteHead,
    DateTimeOffset? LastFetchAttempt,
    DateTimeOffset? LastFetchSuccess,
    string? LastFetchError,
    int ConsecutiveFetchFailures,
    DateTimeOffset? NextFetch,
    FailedCommitView? FailedCommit,
    int? Approved,
    int? Rejected,
    StoreView Store,
    SecretsView? Secrets = null);

/// <summary>Whether the device store records new machines; while it does not, /readyz is 503.</summary>
public sealed record StoreView(bool Writable, DateTimeOffset? FailingSince, long Failures, string? LastError);

/// <summary>What /readyz answers to anyone else: the status only (no commit, no remote URL, no error text).</summary>
public sealed record ReadinessStatusView(bool Ready, string Status)
{
    public static ReadinessStatusView Of(ReadinessView view) =>
        new(view.Ready, view.Ready ? "ready" : view.Commit is null ? "no_commit" : "store_failing");
}

/// <summary>The secrets bundle the served configs carry: which one (compare across replicas) and where it comes from; never a value.</summary>
public sealed record SecretsView(string? Fingerprint, string File, bool Generated);

/// <summary>A commit that is not served because it failed validation, with every error.</summary>
public sealed record FailedCommitView(string Commit, DateTimeOffset Time, IReadOnlyList<string> Errors);
