using System.Globalization;
using System.Net;
using System.Text;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Security;
using Ktizo.GitHub;
using Ktizo.GitHub.Approval;
using Microsoft.AspNetCore.Antiforgery;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// The page's HTML, written by hand: every value goes through <see cref="E"/> (HTML-encoded), and no
/// rendered config is ever printed except through <see cref="Secrets.Redact(ReadOnlySpan{byte}, string)"/>.
/// </summary>
internal static partial class UiHtml
{
    public static string Layout(string title, string main) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · Ktizo</title>
        <link rel="stylesheet" href="/ui/app.css">
        </head>
        <body>
        <a href="#main" class="hint">Skip to content</a>
        {{main}}
        <script src="/ui/app.js" defer></script>
        </body>
        </html>
        """;

    public static string Index(UiView view, CallerRole role, AntiforgeryTokenSet tokens, string? message)
    {
        var sb = new StringBuilder();
        sb.Append("<header><h1>Ktizo devices</h1>");
        sb.Append("<form class=\"inline\" method=\"post\" action=\"/ui/signout\">").Append(Csrf(tokens))
            .Append("<span class=\"hint\">").Append(role == CallerRole.Admin ? "Signed in as admin" : "Signed in as viewer (read-only)")
            .Append("</span> <button type=\"submit\">Sign out</button></form>");
        sb.Append("<form class=\"search\" method=\"get\" action=\"/\" role=\"search\"><label for=\"mac-search\" class=\"hint\">Find a MAC</label> ")
            .Append("<input id=\"mac-search\" name=\"mac\" autocomplete=\"off\" placeholder=\"52:54:00 or a whole MAC\" value=\"").Append(E(view.Search?.Typed ?? ""))
            .Append("\"> <button type=\"submit\">Search</button></form>");
        sb.Append("</header>");
        if (message is not null)
        {
            sb.Append("<p role=\"alert\" class=\"refused\">").Append(E(message)).Append("</p>");
        }

        var source = view.Search is { } search ? "/ui/live?mac=" + Uri.EscapeDataString(search.Typed) : "/ui/live";
        sb.Append("<main id=\"main\"><div id=\"live\" data-source=\"").Append(E(source)).Append("\" data-interval=\"2000\" aria-live=\"polite\">")
            .Append(Live(view, role == CallerRole.Admin))
            .Append("</div></main>");
        return sb.ToString();
    }

    /// <summary>The page for a caller who may not read devices: the sign-in form, or why there is none; never a device.</summary>
    public static string SignIn(bool signInEnabled, AntiforgeryTokenSet tokens, string? message)
    {
        var sb = new StringBuilder();
        sb.Append("<header><h1>Ktizo devices</h1></header><main id=\"main\">");
        if (message is not null)
        {
            sb.Append("<p role=\"alert\" class=\"refused\">").Append(E(message)).Append("</p>");
        }

        if (signInEnabled)
        {
            sb.Append("<p>Reading the devices needs sign-in: the viewer token reads, the admin token also approves and rejects.</p>")
                .Append("<form class=\"signin\" method=\"post\" action=\"/ui/signin\">").Append(Csrf(tokens))
                .Append("<label for=\"token\" class=\"hint\">Token (admin or viewer)</label> <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required> ")
                .Append("<button type=\"submit\">Sign in</button></form>");
        }
        else
        {
            sb.Append("<p id=\"closed\" class=\"refused\">The device list is closed: set ViewerToken or AdminToken to read devices.</p>");
        }

        return sb.Append("</main>").ToString();
    }

    /// <summary>The part of the page the script refreshes: status, counts, the newest pending, the first decided, the search.</summary>
    public static string Live(UiView view, bool signedIn)
    {
        var sb = new StringBuilder();
        var status = view.Status;
        sb.Append("<section class=\"status\" aria-labelledby=\"status-h\"><h2 id=\"status-h\">Serving</h2><dl>");
        Dl(sb, "commit served", view.Snapshot is null ? "none yet (no good render loaded)" : view.Snapshot.Commit, code: view.Snapshot is not null);
        Dl(sb, "served since", Time(status.ServedSince));
        Dl(sb, "last sync", status.LastFetchSuccess is null ? "never" : Time(status.LastFetchSuccess));
        if (status.LastFetchError is not null)
        {
            Dl(sb, "last fetch error", status.LastFetchError);
        }

        sb.Append("</dl>");
        if (status.FailedCommit is { } failed)
        {
            sb.Append("<div class=\"errors\" role=\"alert\"><p><strong>Newest commit <code>").Append(E(failed.Commit))
                .Append("</code> failed validation</strong> and is not served (").Append(failed.Errors.Count).Append(" error").Append(failed.Errors.Count == 1 ? "" : "s").Append("):</p><ul>");
            foreach (var error in failed.Errors)
            {
                sb.Append("<li><code>").Append(E(error.ToString())).Append("</code></li>");
            }

            sb.Append("</ul></div>");
        }

        var counts = view.Counts;
        sb.Append("<p id=\"counts\">").Append(counts.Pending.ToString(CultureInfo.InvariantCulture)).Append(" pending, ")
            .Append(counts.Approved.ToString(CultureInfo.InvariantCulture)).Append(" approved, ")
            .Append(counts.Rejected.ToString(CultureInfo.InvariantCulture)).Append(" rejected</p>");
        sb.Append("</section>");

        if (view.Search is { } search)
        {
            sb.Append("<section aria-labelledby=\"search-h\"><h2 id=\"search-h\">MACs starting with <code>").Append(E(search.Prefix ?? search.Typed)).Append("</code></h2>");
            if (search.Prefix is null)
            {
                sb.Append("<p class=\"refused\">Not a MAC or the beginning of one: type hex digits, with ':' or '-' between pairs if you like.</p>");
            }
            else if (search.Found.Count == 0)
            {
                sb.Append("<p class=\"empty\">No device.</p>");
            }
            else
            {
                Table(sb, "found", ["MAC", "status", "hostname", "last seen", "source address", "requests"]);
                foreach (var d in search.Found)
                {
                    sb.Append("<tr data-mac=\"").Append(E(d.Mac.ToString())).Append("\">");
                    Td(sb, "MAC", $"<code>{E(d.Mac.ToString())}</code>");
                    Td(sb, "status", E(d.Status.Name()));
                    Td(sb, "hostname", E(d.Hostname ?? "–"));
                    Td(sb, "last seen", Time(d.Record?.LastSeen));
                    Td(sb, "source address", E(d.Record?.LastAddress ?? "–"));
                    Td(sb, "requests", (d.Record?.RequestCount ?? 0).ToString(CultureInfo.InvariantCulture));
                    sb.Append("</tr>");
                }

                sb.Append("</tbody></table></div>");
                if (search.Found.Count >= UiData.SearchShown)
                {
                    sb.Append("<p class=\"hint more\">The first ").Append(UiData.SearchShown).Append(" are shown: type more of the MAC to narrow it.</p>");
                }
            }

            sb.Append("</section>");
        }

        var pending = view.Pending;
        sb.Append("<section aria-labelledby=\"pending-h\"><h2 id=\"pending-h\">Pending (<span id=\"pending-count\">").Append(counts.Pending).Append("</span>)</h2>");
        if (pending.Count == 0)
        {
            sb.Append("<p class=\"empty\">No machine is waiting.</p>");
        }
        else
        {
            Table(sb, "pending", ["MAC", "first seen", "last seen", "source address", "requests", "uuid", "issue", .. signedIn ? new[] { "decide" } : []]);
            foreach (var d in pending)
            {
                sb.Append("<tr data-mac=\"").Append(E(d.Mac.ToString())).Append("\">");
                Td(sb, "MAC", $"<code>{E(d.Mac.ToString())}</code>");
                Td(sb, "first seen", Time(d.Record?.FirstSeen));
                Td(sb, "last seen", Time(d.Record?.LastSeen));
                Td(sb, "source address", E(d.Record?.LastAddress ?? "–"));
                Td(sb, "requests", (d.Record?.RequestCount ?? 0).ToString(CultureInfo.InvariantCulture));
                Td(sb, "uuid", d.Record?.Uuid is { } uuid ? $"<code>{E(uuid)}</code>" : "–");
                Td(sb, "issue", view.IssueUrls.TryGetValue(d.Mac, out var url) ? $"<a href=\"{E(url.ToString())}\">#{E(url.Segments[^1])}</a>" : "–");
                if (signedIn)
                {
                    Td(sb, "decide", $"<a class=\"button\" href=\"/ui/devices/{E(d.Mac.ToFileName())}\">Approve or reject<span class=\"hint\"> {E(d.Mac.ToString())}</span></a>");
                }

                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div>");
            More(sb, counts.Pending, pending.Count, "the newest are shown; find others by MAC");
        }

        sb.Append("</section>");

        var approved = view.Approved;
        sb.Append("<section aria-labelledby=\"approved-h\"><h2 id=\"approved-h\">Approved (").Append(counts.Approved).Append(")</h2>");
        if (approved.Count == 0)
        {
            sb.Append("<p class=\"empty\">No approved device in the served commit.</p>");
        }
        else
        {
            Table(sb, "approved", ["hostname", "MAC", "address", "role", "approved by", "last config download", "drift"]);
            foreach (var d in approved)
            {
                var device = d.Device!;
                sb.Append("<tr>");
                Td(sb, "hostname", signedIn
                    ? $"<a href=\"/ui/devices/{E(d.Mac.ToFileName())}/config\">{E(device.Hostname)}</a>"
                    : E(device.Hostname));
                Td(sb, "MAC", $"<code>{E(d.Mac.ToString())}</code>");
                Td(sb, "address", E(device.Ip.ToString()));
                Td(sb, "role", E(device.Role.Name()));
                Td(sb, "approved by", Decision(d));
                Td(sb, "last config download", d.Record?.LastDownload is null ? "never" : Time(d.Record.LastDownload));
                Td(sb, "drift", DriftCell(d.Drift, view.PullRequestUrl));
                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div>");
            More(sb, counts.Approved, approved.Count, "the first by hostname are shown; find others by MAC");
        }

        sb.Append("</section>");

        var rejected = view.Rejected;
        sb.Append("<section aria-labelledby=\"rejected-h\"><h2 id=\"rejected-h\">Rejected (").Append(counts.Rejected).Append(")</h2>");
        if (rejected.Count == 0)
        {
            sb.Append("<p class=\"empty\">No rejected device.</p>");
        }
        else
        {
            Table(sb, "rejected", ["MAC", "reason", "rejected by", "last seen", "requests"]);
            foreach (var d in rejected)
            {
                sb.Append("<tr>");
                Td(sb, "MAC", $"<code>{E(d.Mac.ToString())}</code>");
                Td(sb, "reason", E(d.Rejected?.Reason ?? "–"));
                Td(sb, "rejected by", Decision(d));
                Td(sb, "last seen", Time(d.Record?.LastSeen));
                Td(sb, "requests", (d.Record?.RequestCount ?? 0).ToString(CultureInfo.InvariantCulture));
                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div>");
            More(sb, counts.Rejected, rejected.Count, "the first by hostname are shown; find others by MAC");
        }

        sb.Append("</section>");
        return sb.ToString();
    }

    private static void More(StringBuilder sb, int total, int shown, string how)
    {
        if (total > shown)
        {
            sb.Append("<p class=\"hint more\">Showing ").Append(shown.ToString(CultureInfo.InvariantCulture)).Append(" of ")
                .Append(total.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(E(how)).Append(".</p>");
        }
    }

    public static string Decide(ApproveForm form, string nextControlPlane, bool github, AntiforgeryTokenSet tokens, IReadOnlyList<Diagnostic> errors, IReadOnlyList<Diagnostic> rejectErrors)
    {
        var sb = new StringBuilder();
        sb.Append("<main id=\"main\"><p><a href=\"/\">← All devices</a></p><h1>Decide <code>").Append(E(form.Mac)).Append("</code></h1>");
        sb.Append("<p class=\"hint\">The repository is validated with the device file added, by the validator CI runs, before anything is sent. ")
            .Append(github ? "Then a pull request is opened: merging it is the approval." : "GitHub is not configured: you get the file and the git commands to commit it.")
            .Append("</p>");

        sb.Append("<section aria-labelledby=\"approve-h\"><h2 id=\"approve-h\">Approve</h2>");
        Errors(sb, errors, "approve-errors");
        var mac = E(Ktizo.Core.MacAddress.TryParse(form.Mac, out var parsed) ? parsed.ToFileName() : form.Mac);
        sb.Append("<form method=\"post\" action=\"/ui/devices/").Append(mac).Append("/approve\">").Append(Csrf(tokens));
        sb.Append("<label for=\"hostname\">Hostname</label><input id=\"hostname\" name=\"hostname\" required autocomplete=\"off\" value=\"").Append(E(form.Hostname)).Append("\" aria-describedby=\"hostname-hint\">")
            .Append("<div id=\"hostname-hint\" class=\"hint\">An RFC 1123 label; also names the file. Next control-plane name: <code>").Append(E(nextControlPlane)).Append("</code></div>");
        sb.Append("<label for=\"ip\">Address with prefix</label><input id=\"ip\" name=\"ip\" required autocomplete=\"off\" inputmode=\"decimal\" value=\"").Append(E(form.Ip)).Append("\" aria-describedby=\"ip-hint\">")
            .Append("<div id=\"ip-hint\" class=\"hint\">Suggested: the next free address in the cluster's subnet.</div>");
        sb.Append("<label for=\"role\">Role</label><select id=\"role\" name=\"role\">");
        foreach (var role in new[] { "worker", "controlplane" })
        {
            sb.Append("<option").Append(role == form.Role ? " selected" : "").Append('>').Append(role).Append("</option>");
        }

        sb.Append("</select><p><button class=\"primary\" type=\"submit\">").Append(github ? "Open approving pull request" : "Validate and show the file").Append("</button></p></form></section>");

        sb.Append("<section aria-labelledby=\"reject-h\"><h2 id=\"reject-h\">Reject</h2>");
        Errors(sb, rejectErrors, "reject-errors");
        sb.Append("<form method=\"post\" action=\"/ui/devices/").Append(mac).Append("/reject\">").Append(Csrf(tokens))
            .Append("<label for=\"reason\">Reason (one line)</label><input id=\"reason\" name=\"reason\" maxlength=\"200\" autocomplete=\"off\" value=\"").Append(E(form.Reason ?? "")).Append("\">")
            .Append("<p><button type=\"submit\">").Append(github ? "Open rejecting pull request" : "Validate and show the file").Append("</button></p></form></section></main>");
        return sb.ToString();
    }

    public static string Opened(DeviceProposal proposal, OpenedPullRequest opened) => $$"""
        <main id="main"><p><a href="/">← All devices</a></p>
        <h1>Pull request opened</h1>
        <p role="status" class="done">Opened <a id="pr-link" href="{{E(opened.HtmlUrl)}}">pull request #{{opened.Number}}</a> adding <code>{{E(proposal.Path)}}</code> on branch <code>{{E(opened.Branch)}}</code> into <code>{{E(opened.BaseBranch)}}</code>.
        The machine is {{E(proposal.Decision)}} once it is merged and the gatekeeper has synced.</p>
        <h2>The file</h2>
        <pre id="device-file">{{E(proposal.Content)}}</pre>
        </main>
        """;

    public static string ByHand(DeviceProposal proposal, IReadOnlyList<string> commands) => $$"""
        <main id="main"><p><a href="/">← All devices</a></p>
        <h1>Valid: commit it</h1>
        <p role="status" class="done">The repository validates with this file added. GitHub is not configured, so nothing was sent: save it as <code>{{E(proposal.Path)}}</code> in a clone of the repository; the machine is {{E(proposal.Decision)}} once it is merged into the tracked branch.</p>
        <h2>{{E(proposal.Path)}}</h2>
        <pre id="device-file">{{E(proposal.Content)}}</pre>
        <h2>Then</h2>
        <pre id="git-commands">{{E(string.Join("\n", commands))}}</pre>
        </main>
        """;

    /// <param name="sections">More of the device's page, after its config (drift and served history).</param>
    public static string Config(RenderedConfig config, string commit, string talosVersion, string sections = "") => $$"""
        <main id="main"><p><a href="/">← All devices</a></p>
        <h1>Config of {{E(config.Device.Hostname)}}</h1>
        <p class="hint">Rendered from <code>{{E(commit)}}</code>, sha256 <code>{{E(config.Sha256)}}</code>. Secret values are redacted: this page never shows them.</p>
        <pre id="redacted-config">{{E(Secrets.Redact(config.Yaml, talosVersion))}}</pre>
        {{sections}}
        </main>
        """;

    public static string Message(string title, string text, bool error) => $$"""
        <main id="main"><p><a href="/">← All devices</a></p>
        <h1>{{E(title)}}</h1>
        <p role="{{(error ? "alert" : "status")}}" class="{{(error ? "refused" : "done")}}">{{E(text)}}</p>
        </main>
        """;

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private static string Csrf(AntiforgeryTokenSet tokens) =>
        $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";

    private static string Time(DateTimeOffset? time) =>
        time is { } t
            ? $"<time datetime=\"{t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>"
            : "–";

    private static string Decision(DeviceReading d)
    {
        if (d.Decision is not { } a)
        {
            return "–";
        }

        var text = $"<code>{E(a.Commit[..Math.Min(12, a.Commit.Length)])}</code> {Time(a.Time)} by {E(a.Author)}";
        return a.PullRequest is { } pr ? text + $" (PR #{pr})" : text;
    }

    private static void Errors(StringBuilder sb, IReadOnlyList<Diagnostic> errors, string id)
    {
        if (errors.Count == 0)
        {
            return;
        }

        sb.Append("<div id=\"").Append(id).Append("\" class=\"errors\" role=\"alert\"><p><strong>Refused by the validator; nothing was sent.</strong></p><ul>");
        foreach (var error in errors)
        {
            sb.Append("<li><code>").Append(E(error.ToString())).Append("</code></li>");
        }

        sb.Append("</ul></div>");
    }

    private static void Dl(StringBuilder sb, string name, string valueHtmlOrText, bool code = false)
    {
        var value = valueHtmlOrText.StartsWith("<time", StringComparison.Ordinal) ? valueHtmlOrText : E(valueHtmlOrText);
        sb.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(code ? $"<code>{value}</code>" : value).Append("</dd>");
    }

    private static void Table(StringBuilder sb, string id, IEnumerable<string> headers)
    {
        sb.Append("<div class=\"table-wrap\"><table id=\"").Append(id).Append("\"><thead><tr>");
        foreach (var h in headers)
        {
            sb.Append("<th scope=\"col\">").Append(E(h)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
    }

    private static void Td(StringBuilder sb, string label, string html) =>
        sb.Append("<td data-label=\"").Append(E(label)).Append("\">").Append(html).Append("</td>");
}
