using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Ktizo.Core;
using Ktizo.Core.Registry;

namespace Ktizo.GitHub;

/// <summary>
/// The words on GitHub: titles, bodies and the hidden markers by which Ktizo recognises its own issues
/// again (the marker survives a person editing the title).
/// </summary>
public static partial class PendingIssueText
{
    public const string DigestTitle = "Pending devices (digest)";
    public const string DigestMarker = "<!-- ktizo:digest -->";

    /// <summary>
    /// GitHub refuses an issue or comment body longer than this (422 "body is too long (maximum is
    /// 65536 characters)"). It counts characters; string lengths here count UTF-16 units, never fewer.
    /// </summary>
    public const int MaxBodyLength = 65536;

    /// <summary>
    /// Longest note a digest line carries: a decision note ("approved by" a SHA-256 commit and a pull
    /// request) fits; a longer note is cut. Room for it is kept on every unticked line, so ticking a
    /// line can never push a digest over <see cref="MaxBodyLength"/>.
    /// </summary>
    public const int MaxDigestNoteLength = 96;

    public static string Title(MacAddress mac) => $"Pending device {mac}";

    public static string Marker(MacAddress mac) => $"<!-- ktizo:pending-device {mac} -->";

    /// <summary>The hostname suggested until a person picks one: <c>node-</c> and the last three octets.</summary>
    public static string SuggestedHostname(MacAddress mac) => "node-" + mac.ToFileName()[9..].Replace("-", string.Empty, StringComparison.Ordinal);

    /// <summary>The address suggested: the one the machine asked from (as a /24), or a documentation address.</summary>
    public static string SuggestedIp(PendingSighting sighting) =>
        IPAddress.TryParse(sighting.SourceAddress, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? $"{address}/24"
            : "192.0.2.10/24";

    public static string DevicePath(string hostname) => $"inventory/devices/{hostname}.yaml";

    public static string DeviceFile(MacAddress mac, string hostname, string ip, string role) =>
        $"mac: {mac}\nhostname: {hostname}\nrole: {role}\nip: {ip}\n";

    public static string ApproveCommand(MacAddress mac, string hostname, string ip, string role) =>
        $"ktizo approve {mac} --hostname {hostname} --ip {ip} --role {role}";

    public static string Body(PendingSighting sighting)
    {
        var mac = sighting.Mac;
        var hostname = SuggestedHostname(mac);
        var ip = SuggestedIp(sighting);
        var b = new StringBuilder();
        b.Append("A machine asked Ktizo for its config and is not in the inventory. It gets no config until a commit approves it.\n\n");
        b.Append("| | |\n|---|---|\n");
        b.Append(CultureInfo.InvariantCulture, $"| MAC | `{mac}` |\n");
        b.Append(CultureInfo.InvariantCulture, $"| First seen | {sighting.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC |\n");
        b.Append(CultureInfo.InvariantCulture, $"| Source address | {Cell(sighting.SourceAddress)} |\n");
        b.Append(CultureInfo.InvariantCulture, $"| UUID | {Cell(sighting.Uuid)} |\n");
        b.Append(CultureInfo.InvariantCulture, $"| User agent | {Cell(sighting.UserAgent)} |\n\n");
        if (sighting.ProposedBy is { } link)
        {
            // The pull request exists already, so its "Closes #N" could not name this issue: the link goes this way.
            b.Append(CultureInfo.InvariantCulture, $"Proposed by rule {link.Rule} in #{link.PullRequest}: merging that pull request approves it.\n\n");
        }

        if (sighting.Claims.Count > 0)
        {
            b.Append("Device flows of this MAC waiting for a token when this issue was opened (more than one: more than one machine claims it):\n\n");
            Claims(b, sighting.Claims);
            b.Append("Once it is approved, confirm only the code shown on your machine's own console: ");
            b.Append("`ktizo confirm CODE`, or on the gatekeeper's page `/ui/device-auth`.\n\n");
        }

        b.Append("To approve it, pick a hostname, address and role, then either commit this file as ");
        b.Append(CultureInfo.InvariantCulture, $"`{DevicePath(hostname)}`:\n\n```yaml\n{DeviceFile(mac, hostname, ip, "worker")}```\n\n");
        b.Append("or run (add `--pr` to open the pull request from here):\n\n");
        b.Append(CultureInfo.InvariantCulture, $"```sh\n{ApproveCommand(mac, hostname, ip, "worker")}\n```\n\n");
        b.Append(CultureInfo.InvariantCulture, $"`ktizo reject {mac}` refuses it. This issue closes itself when the commit is synced.\n\n");
        b.Append(Marker(mac)).Append('\n');
        return b.ToString();
    }

    /// <summary>Marks the comment of one second-claimant episode, so a restarted worker finds it rather than posting again.</summary>
    public static string ClaimantMarker(MacAddress mac, DateTimeOffset since) =>
        string.Create(CultureInfo.InvariantCulture, $"<!-- ktizo:second-claimant {mac} {since.ToUnixTimeMilliseconds()} -->");

    /// <summary>The comment that reports a second claimant of a MAC: its live flows, and what the operator does.</summary>
    public static string ClaimantComment(ContestedMac contest)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"**Second claimant of `{contest.Mac}`.** Since {contest.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC more than one machine ");
        b.Append("has asked the gatekeeper for a token for this MAC at the same time. In `first` mode neither gets one on its own.\n\n");
        if (contest.Claims.Count > 0)
        {
            Claims(b, contest.Claims);
        }
        else
        {
            b.Append("None of those flows is waiting any more (expired, or one was confirmed); the device-auth page lists any new one.\n\n");
        }

        b.Append("Read the code on the console of the machine you expect and confirm only that one: ");
        b.Append("`ktizo confirm CODE`, or on the gatekeeper's page `/ui/device-auth`. ");
        b.Append("If none of the machines is yours, someone else claims this MAC: look at the source address.\n\n");
        b.Append(ClaimantMarker(contest.Mac, contest.Since)).Append('\n');
        return b.ToString();
    }

    // At most DeviceFlowLimits.MaxFlowsPerMac rows: the body stays small.
    private static void Claims(StringBuilder b, IReadOnlyList<FlowClaim> claims)
    {
        b.Append("| uuid | source address | started | |\n|---|---|---|---|\n");
        foreach (var claim in claims)
        {
            b.Append(CultureInfo.InvariantCulture,
                $"| {Cell(claim.Uuid)} | {Cell(claim.Source)} | {claim.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC | {(claim.Confirmed ? "confirmed" : "waiting")} |\n");
        }

        b.Append('\n');
    }

    public static string DigestBody(IEnumerable<DigestEntry> entries)
    {
        var b = new StringBuilder();
        b.Append("More machines are pending than Ktizo opens single issues for, so the rest are listed here, ");
        b.Append("one line each (edited in place). Approve one as its own issue says: ");
        b.Append("`ktizo approve MAC --hostname … --ip … --role …`. A line is ticked when a synced commit decides it.\n\n");
        b.Append(DigestMarker).Append('\n');
        foreach (var entry in entries)
        {
            b.Append(entry.ToLine()).Append('\n');
        }

        return b.ToString();
    }

    public static DigestEntry DigestLine(PendingSighting sighting) =>
        new(sighting.Mac, false, string.Create(
            CultureInfo.InvariantCulture,
            $"first seen {sighting.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC from {sighting.SourceAddress ?? "unknown"}"));

    /// <summary>
    /// Whether a digest of <paramref name="entries"/> stays within <see cref="MaxBodyLength"/> even once
    /// every line is ticked with the longest note: measured in characters, since a line's length
    /// depends on its source address (an IPv6 line is half as long again as an IPv4 one).
    /// </summary>
    public static bool DigestFits(IEnumerable<DigestEntry> entries) =>
        DigestHeaderLength + entries.Sum(DigestLineReserve) <= MaxBodyLength;

    // The line with its newline, or the line ticked with the longest note if that is longer.
    private static int DigestLineReserve(DigestEntry entry) =>
        Math.Max(entry.ToLine().Length, (entry with { Done = true, Note = new string('x', MaxDigestNoteLength) }).ToLine().Length) + 1;

    private static readonly int DigestHeaderLength = DigestBody([]).Length;

    /// <summary>What a body says about pending MACs: the single device it is about, or the digest lines.</summary>
    public static ParsedIssue Parse(string? title, string? body)
    {
        body ??= string.Empty;
        if (body.Contains(DigestMarker, StringComparison.Ordinal))
        {
            var entries = new List<DigestEntry>();
            foreach (Match m in DigestLinePattern().Matches(body))
            {
                if (MacAddress.TryParse(m.Groups["mac"].Value, out var mac))
                {
                    entries.Add(new DigestEntry(mac, m.Groups["done"].Value == "x", m.Groups["note"].Value.Trim()));
                }
            }

            return new ParsedIssue(null, entries);
        }

        var marker = MarkerPattern().Match(body);
        if (marker.Success && MacAddress.TryParse(marker.Groups["mac"].Value, out var marked))
        {
            return new ParsedIssue(marked, null);
        }

        var titled = TitlePattern().Match(title ?? string.Empty);
        return titled.Success && MacAddress.TryParse(titled.Groups["mac"].Value, out var fromTitle)
            ? new ParsedIssue(fromTitle, null)
            : new ParsedIssue(null, null);
    }

    private static string Cell(string? value) =>
        string.IsNullOrEmpty(value) ? "unknown" : "`" + value.Replace("`", "'", StringComparison.Ordinal).Replace("|", "/", StringComparison.Ordinal).ReplaceLineEndings(" ") + "`";

    [GeneratedRegex(@"^- \[(?<done>[ x])\] `(?<mac>[0-9a-fA-F:-]{12,17})`(?<note>[^\n]*)$", RegexOptions.Multiline)]
    private static partial Regex DigestLinePattern();

    [GeneratedRegex(@"<!-- ktizo:pending-device (?<mac>[0-9a-fA-F:-]{12,17}) -->")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"^Pending device (?<mac>[0-9a-fA-F:-]{12,17})\s*$")]
    private static partial Regex TitlePattern();
}

/// <summary>One line of a digest issue: <c>- [ ] `mac` note</c>; ticked once decided.</summary>
public sealed record DigestEntry(MacAddress Mac, bool Done, string Note)
{
    private readonly string _note = OneLine(Note);

    /// <summary>The note, on one line and cut to <see cref="PendingIssueText.MaxDigestNoteLength"/> (also when set with <c>with</c>).</summary>
    public string Note
    {
        get => _note;
        init => _note = OneLine(value);
    }

    public string ToLine() => $"- [{(Done ? 'x' : ' ')}] `{Mac}` {Note}".TrimEnd();

    private static string OneLine(string note)
    {
        var line = note.ReplaceLineEndings(" ");
        return line.Length <= PendingIssueText.MaxDigestNoteLength ? line : line[..(PendingIssueText.MaxDigestNoteLength - 1)] + "…";
    }
}

/// <summary>A single pending issue names <see cref="Mac"/>; a digest has <see cref="DigestEntries"/>; neither: not ours.</summary>
public sealed record ParsedIssue(MacAddress? Mac, IReadOnlyList<DigestEntry>? DigestEntries);
