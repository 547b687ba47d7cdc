using Ktizo.Core;
using Ktizo.Core.Registry;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// A test-only <see cref="IContestOutbox"/>: episodes in memory, the MAC's issue read from an
/// <see cref="InMemoryIssueOutbox"/> as the store joins them. "Restarting" a worker over the same instance models a durable store.
/// </summary>
public sealed class InMemoryContestOutbox(InMemoryIssueOutbox issues) : IContestOutbox
{
    private readonly Lock _sync = new();
    private readonly Dictionary<MacAddress, (DateTimeOffset Since, bool Reported, IReadOnlyList<FlowClaim> Claims)> _rows = [];

    /// <summary>Called before each MarkReportedAsync; throw from it to simulate a crash after the comment.</summary>
    public Action<MacAddress>? BeforeMark { get; set; }

    public void Contest(MacAddress mac, DateTimeOffset since, params FlowClaim[] claims)
    {
        lock (_sync)
        {
            _rows[mac] = (since, false, claims);
        }
    }

    public bool IsReported(MacAddress mac)
    {
        lock (_sync)
        {
            return _rows[mac].Reported;
        }
    }

    public Task<IReadOnlyList<ContestedMac>> ListDueAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            IReadOnlyList<ContestedMac> due = _rows.Where(r => !r.Value.Reported).OrderBy(r => r.Value.Since).Take(limit)
                .Select(r =>
                {
                    var issue = issues.IssueOf(r.Key);
                    return new ContestedMac(r.Key, r.Value.Since, issue, issue is null && issues.IsPending(r.Key)) { Claims = r.Value.Claims };
                })
                .ToList();
            return Task.FromResult(due);
        }
    }

    public Task MarkReportedAsync(MacAddress mac, DateTimeOffset since, CancellationToken cancellationToken)
    {
        BeforeMark?.Invoke(mac);
        lock (_sync)
        {
            if (_rows.TryGetValue(mac, out var row) && row.Since == since)
            {
                _rows[mac] = row with { Reported = true };
            }
        }

        return Task.CompletedTask;
    }
}
