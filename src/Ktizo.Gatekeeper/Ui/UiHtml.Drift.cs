using System.Globalization;
using System.Text;
using Ktizo.Core.Drift;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>Drift and served history on the page (issue 20, docs/drift.md): a column of the approved list, sections of a device's page.</summary>
internal static partial class UiHtml
{
    /// <summary>The approved list's drift cell: the state, and for a drifted machine since which commit.</summary>
    public static string DriftCell(DeviceDrift? drift, Func<int?, Uri?> pullRequestUrl)
    {
        if (drift is null)
        {
            return "–";
        }

        var state = $"<span class=\"drift-{E(drift.State.Name())}\">{E(drift.State.Words())}</span>";
        return drift.Since is { } since ? $"{state} since {Commit(since.Commit, since.PullRequest, pullRequestUrl)}" : state;
    }

    /// <summary>A device page's drift (with the redacted diff of a drifted machine) and its served history, newest first.</summary>
    public static string DriftSections(DriftReport? report, IReadOnlyList<ServedEntry> history, int kept, Func<int?, Uri?> pullRequestUrl)
    {
        var sb = new StringBuilder();
        if (report?.Device.Drift is { } drift)
        {
            sb.Append("<section aria-labelledby=\"drift-h\"><h2 id=\"drift-h\">Drift</h2><p id=\"drift-state\">")
                .Append(DriftCell(drift, pullRequestUrl));
            if (drift.LastServed is { } last)
            {
                sb.Append(": it last got ").Append(Commit(last.Commit, last.PullRequest, pullRequestUrl)).Append(' ').Append(Time(last.Time));
            }

            sb.Append(".</p>");
            if (report.Diff is { } diff)
            {
                sb.Append("<p class=\"hint\">What it got against what git renders now; secret values are redacted (").Append(E(report.RedactedAs))
                    .Append("). Apply with <code>talosctl apply-config --mode=").Append(E(report.Advice?.Mode)).Append("</code> after a <code>--dry-run</code>; ")
                    .Append("<code>ktizo drift</code> prints the commands.</p><pre id=\"drift-diff\">").Append(E(diff)).Append("</pre>");
            }
            else if (report.Unavailable is { } why)
            {
                sb.Append("<p class=\"hint\" id=\"drift-unavailable\">No diff: ").Append(E(why)).Append(".</p>");
            }

            sb.Append("</section>");
        }

        sb.Append("<section aria-labelledby=\"history-h\"><h2 id=\"history-h\">Served history</h2>");
        if (history.Count == 0)
        {
            sb.Append("<p class=\"empty\">It never downloaded a config from this gatekeeper.</p>");
        }
        else
        {
            Table(sb, "history", ["served", "commit", "config sha256", "from"]);
            foreach (var entry in history)
            {
                sb.Append("<tr>");
                Td(sb, "served", Time(entry.Time));
                Td(sb, "commit", Commit(entry.Commit, entry.PullRequest, pullRequestUrl));
                Td(sb, "config sha256", $"<code>{E(entry.ConfigHash[..Math.Min(16, entry.ConfigHash.Length)])}</code>");
                Td(sb, "from", E(entry.Address ?? "–"));
                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div><p class=\"hint\">A download of the same bytes again adds no row; the newest ")
                .Append(kept.ToString(CultureInfo.InvariantCulture)).Append(" are kept (HistoryEntries).</p>");
        }

        return sb.Append("</section>").ToString();
    }

    // A commit, linked to the pull request that made it when its subject names one and GitHub is configured.
    private static string Commit(string sha, int? pullRequest, Func<int?, Uri?> pullRequestUrl)
    {
        var text = $"<code>{E(sha[..Math.Min(12, sha.Length)])}</code>";
        return pullRequest is not { } n ? text
            : pullRequestUrl(n) is { } url ? $"{text} (<a href=\"{E(url.ToString())}\">PR #{n}</a>)"
            : $"{text} (PR #{n})";
    }
}
