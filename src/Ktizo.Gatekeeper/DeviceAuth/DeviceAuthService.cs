using System.Net;
using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Ktizo.Core.Registry;
using Ktizo.Gatekeeper.Serving;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>A config download refused for want of the right token, as the page lists it.</summary>
public sealed record RefusedClaim(MacAddress Mac, string? Address, string Reason, DateTimeOffset At);

/// <summary>
/// The gatekeeper's side of the device flow: <see cref="DeviceFlowBook"/> decides, <see cref="DeviceFlowStore"/>
/// makes each decision durable before its answer goes out, and the served commit says whether a MAC is
/// approved and in which mode.
/// </summary>
public sealed class DeviceAuthService : IBearerAuthorizer
{
    /// <summary>Refused downloads kept for the page: the latest, never a growing list.</summary>
    public const int MaxRefusals = 50;

    private readonly DeviceFlowBook _book;
    private readonly DeviceFlowStore _store;
    private readonly ServingState _state;
    private readonly DeviceAuthMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DeviceAuthService> _logger;
    private readonly Lock _refusalsLock = new();
    private readonly Queue<RefusedClaim> _refusals = new();
    private readonly PendingIssueSignal? _gitHub;

    // deviceAuthRearm values applied so far (from the store at start), and the commit whose values are applied
    // (its name, not the snapshot: holding a swapped-out snapshot would keep its whole rendered set alive).
    private readonly SemaphoreSlim _rearmGate = new(1, 1);
    private readonly Dictionary<MacAddress, string> _appliedRearms;
    private string? _rearmedCommit;

    public DeviceAuthService(
        DeviceStore store, ServingState state, DeviceAuthMetrics metrics, TimeProvider time, ILogger<DeviceAuthService> logger,
        DeviceFlowLimits? limits = null, PendingIssueSignal? gitHub = null)
    {
        _gitHub = gitHub;
        _book = new DeviceFlowBook(limits ?? DeviceFlowLimits.Default, time);
        _store = DeviceFlowStore.Open(store);
        _state = state;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        var saved = _store.LoadAsync(time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
        _book.Restore(saved.Flows, saved.Tokens, saved.IssuedMacs);
        _appliedRearms = new Dictionary<MacAddress, string>(saved.AppliedRearms);
    }

    public DeviceFlowLimits Limits => _book.Limits;

    /// <summary>Where <paramref name="mac"/> stands in the served commit, and its mode (the cluster's when not approved).</summary>
    public (DeviceStanding Standing, DeviceAuthMode Mode) Standing(MacAddress mac) => Standing(mac, _state.Snapshot);

    private static (DeviceStanding Standing, DeviceAuthMode Mode) Standing(MacAddress mac, ServingSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return (DeviceStanding.NotApproved, DeviceAuthMode.Confirm);
        }

        if (snapshot.Configs.TryGetValue(mac, out var served))
        {
            return (DeviceStanding.Approved, served.Config.Device.DeviceAuth);
        }

        return (snapshot.Set.Rejected.ContainsKey(mac) ? DeviceStanding.Rejected : DeviceStanding.NotApproved, snapshot.Set.Cluster.DeviceAuth);
    }

    /// <summary><c>POST /device/code</c>: a new flow, durable before its device code is handed out.</summary>
    public async Task<FlowStart> StartAsync(MacAddress mac, string? uuid, string? address, CancellationToken cancellationToken)
    {
        var snapshot = _state.Snapshot;
        await ApplyGitRearmsAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var start = _book.Start(mac, uuid, address, Standing(mac, snapshot).Standing);
        if (start.Flow is not { } flow)
        {
            DeviceAuthLog.FlowRefused(_logger, mac, start.Error!);
            return start;
        }

        // A second claimant: its episode is written in the flow's own commit, so the GitHub report survives a restart.
        var contested = start.OtherLiveFlows > 0;
        try
        {
            await _store.AddFlowAsync(flow, contested, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _book.Forget(flow.CodeHash);
            throw;
        }

        _metrics.FlowsStarted.Inc();
        DeviceAuthLog.FlowStarted(_logger, mac, uuid, address, flow.UserCode);
        if (contested)
        {
            DeviceAuthLog.SecondClaimant(_logger, mac, address, uuid, start.OtherLiveFlows);
            _gitHub?.Notify();
        }

        return start;
    }

    /// <summary><c>POST /token</c>: a poll; an issued token is durable (and its flow spent) before it is handed out.</summary>
    public async Task<PollResult> PollAsync(string deviceCode, MacAddress mac, string? uuid, CancellationToken cancellationToken)
    {
        var snapshot = _state.Snapshot;
        await ApplyGitRearmsAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var (standing, mode) = Standing(mac, snapshot);
        var result = _book.Poll(deviceCode, mac, uuid, standing, mode);
        if (result.Contested)
        {
            _metrics.Contested.Inc();
            DeviceAuthLog.Contested(_logger, mac, result.Flow!.UserCode, result.Flow.Source);
        }

        if (result.Token is not { } token)
        {
            return result;
        }

        try
        {
            await _store.IssueAsync(result.Flow!, token, _time.GetUtcNow(), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _book.Revoke(token.TokenHash); // never handed out; the flow stays spent, so nothing is issued twice
            throw;
        }

        _metrics.TokensIssued.Inc();
        DeviceAuthLog.TokenIssued(_logger, mac, result.Flow!.UserCode, result.Flow.Confirmed ? "confirmed" : mode == DeviceAuthMode.Off ? "deviceAuth off" : "single first claimant");
        return result;
    }

    /// <summary>An administrator confirms a user code; null when no live flow has it.</summary>
    public async Task<DeviceFlow?> ConfirmAsync(string userCode, string by, CancellationToken cancellationToken)
    {
        if (_book.Confirm(userCode) is not { } flow)
        {
            return null;
        }

        await _store.ConfirmAsync(flow.CodeHash, cancellationToken).ConfigureAwait(false);
        DeviceAuthLog.Confirmed(_logger, flow.UserCode, flow.Mac, by);
        return flow;
    }

    /// <summary>An administrator re-arms <paramref name="mac"/> for <c>first</c> mode; false when it had no token.</summary>
    public async Task<bool> RearmAsync(MacAddress mac, string by, CancellationToken cancellationToken)
    {
        await _store.RearmAsync(mac, cancellationToken).ConfigureAwait(false);
        var had = _book.Rearm(mac);
        DeviceAuthLog.Rearmed(_logger, mac, by, had ? "had" : "had not had");
        return had;
    }

    /// <summary>
    /// Re-arms every MAC whose device file in <paramref name="snapshot"/> carries a <c>deviceAuthRearm</c> value
    /// not applied before, once, and records the value with the commit (docs/device-auth.md). Runs before any
    /// flow decision under a newly served commit; for a commit already handled it is one string compare.
    /// </summary>
    public async Task ApplyGitRearmsAsync(ServingSnapshot? snapshot, CancellationToken cancellationToken)
    {
        if (snapshot is null || string.Equals(Volatile.Read(ref _rearmedCommit), snapshot.Commit, StringComparison.Ordinal))
        {
            return;
        }

        await _rearmGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (string.Equals(_rearmedCommit, snapshot.Commit, StringComparison.Ordinal))
            {
                return;
            }

            var due = new List<GitRearm>();
            foreach (var served in snapshot.Configs.Values)
            {
                var device = served.Config.Device;
                if (device.DeviceAuthRearm is { } value && !(_appliedRearms.TryGetValue(device.Mac, out var applied) && applied == value))
                {
                    due.Add(new GitRearm(device.Mac, value));
                }
            }

            if (due.Count > 0)
            {
                // Not cancelled half-way: once written, the values must also be applied here.
                await _store.ApplyRearmsAsync(due, snapshot.Commit, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                foreach (var rearm in due)
                {
                    var had = _book.Rearm(rearm.Mac);
                    _appliedRearms[rearm.Mac] = rearm.Value;
                    DeviceAuthLog.RearmedByCommit(_logger, rearm.Mac, snapshot.Commit, rearm.Value, had ? "had" : "had not had");
                }
            }

            Volatile.Write(ref _rearmedCommit, snapshot.Commit);
        }
        finally
        {
            _rearmGate.Release();
        }
    }

    /// <summary>True when <paramref name="mac"/> had a token and was not re-armed since: its next flow needs a confirmation.</summary>
    public bool HasIssued(MacAddress mac) => _book.HasIssued(mac);

    /// <summary>The live flows of <paramref name="mac"/> as GitHub may show them (no user code).</summary>
    public IReadOnlyList<FlowClaim> ClaimsOf(MacAddress mac) =>
        _book.LiveFlowsOf(mac).Select(f => new FlowClaim(f.Uuid, f.Source, f.StartedAt, f.Confirmed)).ToList();

    /// <summary>The flows waiting for a token, oldest first.</summary>
    public IReadOnlyList<DeviceFlow> LiveFlows() => _book.LiveFlows();

    /// <summary>The latest refused downloads, newest first.</summary>
    public IReadOnlyList<RefusedClaim> Refusals()
    {
        lock (_refusalsLock)
        {
            return _refusals.Reverse().ToList();
        }
    }

    public bool Authorize(MacAddress mac, StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } header)
        {
            return false;
        }

        const string prefix = "Bearer ";
        var value = header.AsSpan();
        return value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && _book.Authorize(mac, value[prefix.Length..].Trim());
    }

    public void RecordRefusal(MacAddress mac, IPAddress? address, string reason)
    {
        _metrics.ConfigUnauthenticated.Inc();
        DeviceAuthLog.Unauthenticated(_logger, mac, address, reason);
        lock (_refusalsLock)
        {
            if (_refusals.Count == MaxRefusals)
            {
                _refusals.Dequeue();
            }

            _refusals.Enqueue(new RefusedClaim(mac, address?.ToString(), reason, _time.GetUtcNow()));
        }
    }
}
