using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// A test-only <see cref="IIssueOutbox"/> that keeps its state in memory behind one lock, following the
/// semantics documented on the port. "Restarting" a worker over the same instance models a durable store.
/// </summary>
public sealed class InMemoryIssueOutbox : IIssueOutbox
{
    private readonly object _sync = new();
    private readonly Dictionary<MacAddress, Row> _rows = [];

    /// <summary>Called before each RecordIssueAsync; throw from it to simulate a crash at that moment.</summary>
    public Action<MacAddress, int>? BeforeRecord { get; set; }

    public void AddSighting(PendingSighting sighting)
    {
        lock (_sync)
        {
            _rows.TryAdd(sighting.Mac, new Row(sighting));
        }
    }

    public void Decide(MacAddress mac, DeviceDecision decision)
    {
        lock (_sync)
        {
            _rows[mac].Decision = decision;
        }
    }

    public int? IssueOf(MacAddress mac)
    {
        lock (_sync)
        {
            return _rows.TryGetValue(mac, out var row) ? row.Issue : null;
        }
    }

    /// <summary>Seen and not decided: its issue is still to be filed when it has none.</summary>
    public bool IsPending(MacAddress mac)
    {
        lock (_sync)
        {
            return _rows.TryGetValue(mac, out var row) && row.Decision is null;
        }
    }

    public bool IsClosed(MacAddress mac)
    {
        lock (_sync)
        {
            return _rows[mac].Closed;
        }
    }

    public int UnfiledCount
    {
        get
        {
            lock (_sync)
            {
                return _rows.Values.Count(r => r.Issue is null && r.Decision is null);
            }
        }
    }

    public Task<IReadOnlyList<PendingSighting>> ListUnfiledAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            IReadOnlyList<PendingSighting> list = _rows.Values
                .Where(r => r.Issue is null && r.Decision is null)
                .OrderBy(r => r.Sighting.FirstSeen).ThenBy(r => r.Sighting.Mac)
                .Take(limit)
                .Select(r => r.Sighting)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task RecordIssueAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken)
    {
        BeforeRecord?.Invoke(mac, issueNumber);
        lock (_sync)
        {
            if (_rows.TryGetValue(mac, out var row))
            {
                row.Issue = issueNumber;
                row.Closed = false;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<FiledIssue>> ListOpenIssuesAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            IReadOnlyList<FiledIssue> list = _rows.Values
                .Where(r => r.Issue is not null && !r.Closed)
                .Select(r => new FiledIssue(r.Sighting, r.Issue!.Value, r.Decision))
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task MarkIssueClosedAsync(MacAddress mac, int issueNumber, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_rows.TryGetValue(mac, out var row) && row.Issue == issueNumber)
            {
                row.Closed = true;
            }
        }

        return Task.CompletedTask;
    }

    private sealed class Row(PendingSighting sighting)
    {
        public PendingSighting Sighting { get; } = sighting;

        public int? Issue { get; set; }

        public bool Closed { get; set; }

        public DeviceDecision? Decision { get; set; }
    }
}
