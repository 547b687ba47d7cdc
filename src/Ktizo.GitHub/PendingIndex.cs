using Ktizo.Core;

namespace Ktizo.GitHub;

/// <summary>The unticked lines of one open digest issue, as last read or written.</summary>
internal sealed record DigestState(List<DigestEntry> Entries);

/// <summary>
/// The open pending issues as Ktizo last saw them on GitHub, kept between passes and updated both by
/// listings and by what the passes themselves change. Every issue is held under its number, so a newer
/// copy of an issue (from an incremental listing) replaces the older one whole.
/// </summary>
internal sealed class PendingIndex
{
    private readonly Dictionary<MacAddress, SortedSet<int>> _singles = [];
    private readonly Dictionary<int, (MacAddress Mac, string Body)> _singleIssues = [];
    private readonly Dictionary<int, DigestState> _digests = [];

    // Kept with the digests because Locate runs for every filed outbox row of a pass: scanning every
    // line of every digest there made a pass cost rows × lines.
    private readonly Dictionary<MacAddress, SortedSet<int>> _digestsListing = [];

    public IReadOnlyDictionary<int, DigestState> Digests => _digests;

    public int OpenSingles => _singleIssues.Count;

    /// <summary>Puts what <paramref name="parsed"/> says about issue <paramref name="number"/> in place of whatever was held for it.</summary>
    public void Replace(int number, ParsedIssue parsed, string? body)
    {
        if (parsed.DigestEntries is { } entries)
        {
            SetDigest(number, entries.ToList());
        }
        else if (parsed.Mac is { } mac)
        {
            AddSingle(mac, number, body ?? string.Empty);
        }
        else
        {
            Remove(number);
        }
    }

    public void AddSingle(MacAddress mac, int number, string body)
    {
        Remove(number);
        Place(_singles, mac, number);
        _singleIssues[number] = (mac, body);
    }

    public void SetDigest(int number, List<DigestEntry> entries)
    {
        Remove(number);
        _digests[number] = new DigestState(entries);
        foreach (var entry in entries.Where(e => !e.Done))
        {
            Place(_digestsListing, entry.Mac, number);
        }
    }

    /// <summary>Forgets issue <paramref name="number"/>, single or digest; false when it was not held.</summary>
    public bool Remove(int number)
    {
        if (_singleIssues.Remove(number, out var single))
        {
            Unplace(_singles, single.Mac, number);
            return true;
        }

        if (_digests.Remove(number, out var digest))
        {
            foreach (var entry in digest.Entries)
            {
                Unplace(_digestsListing, entry.Mac, number);
            }

            return true;
        }

        return false;
    }

    public string SingleBody(int number) => _singleIssues[number].Body;

    public IEnumerable<int> SinglesOf(MacAddress mac) => _singles.TryGetValue(mac, out var set) ? set : [];

    /// <summary>The open digests with an unticked line for <paramref name="mac"/>, lowest number first.</summary>
    public IEnumerable<int> DigestsListing(MacAddress mac) => _digestsListing.TryGetValue(mac, out var set) ? set : [];

    public IEnumerable<MacAddress> AllMacs() => _singles.Keys.Union(_digestsListing.Keys);

    /// <summary>The one place a MAC lives: its lowest-numbered open issue or digest, or null.</summary>
    public int? Locate(MacAddress mac)
    {
        int? single = _singles.TryGetValue(mac, out var s) ? s.Min : null;
        int? digest = _digestsListing.TryGetValue(mac, out var d) ? d.Min : null;
        return single is null ? digest : digest is null ? single : Math.Min(single.Value, digest.Value);
    }

    private static void Place(Dictionary<MacAddress, SortedSet<int>> places, MacAddress mac, int number) =>
        (places.TryGetValue(mac, out var set) ? set : places[mac] = []).Add(number);

    // Empty sets are dropped so AllMacs and Locate only ever see MACs that have a place.
    private static void Unplace(Dictionary<MacAddress, SortedSet<int>> places, MacAddress mac, int number)
    {
        if (places.TryGetValue(mac, out var set) && set.Remove(number) && set.Count == 0)
        {
            places.Remove(mac);
        }
    }
}
