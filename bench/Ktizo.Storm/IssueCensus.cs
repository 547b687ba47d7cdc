using Ktizo.Core;
using Ktizo.GitHub;
using Ktizo.Testing.GitHub;

namespace Ktizo.Storm;

/// <summary>What the stand-in's tracker holds, counted the way the GitHub tests count it (Harness.OpenPlaces).</summary>
/// <param name="Issues">issues opened, any state (pull requests excluded)</param>
/// <param name="SingleIssues">open issues of one pending MAC each</param>
/// <param name="DigestIssues">open digest issues</param>
/// <param name="DigestLines">unticked lines over all open digests</param>
/// <param name="Represented">distinct MACs with at least one open place (own issue or digest line)</param>
/// <param name="Duplicates">MACs with more than one open place</param>
/// <param name="ClosedIssues">issues closed (a replica's racing duplicate is closed; none expected here)</param>
/// <param name="LastIssueChangeUnixMs">when the stand-in last accepted an issue POST or PATCH: the last MAC's arrival once all are represented</param>
/// <param name="MaxCreationsPerMinute">most content-creating requests accepted in any 60 s, against GitHub's 80</param>
public sealed record IssueCensus(
    int Issues,
    int SingleIssues,
    int DigestIssues,
    int DigestLines,
    int Represented,
    int Duplicates,
    int ClosedIssues,
    int Requests,
    int Mutations,
    int Throttled,
    int MaxCreationsPerMinute,
    long FirstRequestUnixMs,
    long LastIssueChangeUnixMs)
{
    public static IssueCensus Take(GitHubStandIn standIn)
    {
        var requests = standIn.Requests;
        var issues = standIn.Issues.Where(i => !i.IsPullRequest).ToList();
        var places = new Dictionary<MacAddress, int>();
        int singles = 0, digests = 0, lines = 0;
        foreach (var issue in issues.Where(i => i.State == "open"))
        {
            var parsed = PendingIssueText.Parse(issue.Title, issue.Body);
            IEnumerable<MacAddress> macs;
            if (parsed.DigestEntries is { } entries)
            {
                digests++;
                macs = entries.Where(e => !e.Done).Select(e => e.Mac).ToList();
                lines += macs.Count();
            }
            else if (parsed.Mac is { } mac)
            {
                singles++;
                macs = [mac];
            }
            else
            {
                continue;
            }

            foreach (var mac in macs)
            {
                places[mac] = places.GetValueOrDefault(mac) + 1;
            }
        }

        var creations = requests.Where(r => r.ContentCreating && !r.Throttled && r.Status < 300).Select(r => r.At).ToList();
        var lastChange = requests.LastOrDefault(r => r.Method is "POST" or "PATCH" && r.Status < 300 && r.Path.Contains("/issues", StringComparison.Ordinal));
        return new IssueCensus(
            issues.Count,
            singles,
            digests,
            lines,
            places.Count,
            places.Count(p => p.Value > 1),
            issues.Count(i => i.State == "closed"),
            requests.Count,
            requests.Count(r => r.Mutating),
            requests.Count(r => r.Throttled),
            MaxInAnyMinute(creations),
            requests.Count > 0 ? requests[0].At.ToUnixTimeMilliseconds() : 0,
            lastChange?.At.ToUnixTimeMilliseconds() ?? 0);
    }

    /// <summary>Most of <paramref name="sorted"/> in any 60 s.</summary>
    internal static int MaxInAnyMinute(List<DateTimeOffset> sorted)
    {
        int best = 0, start = 0;
        for (var end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= TimeSpan.FromMinutes(1))
            {
                start++;
            }

            best = Math.Max(best, end - start + 1);
        }

        return best;
    }
}
