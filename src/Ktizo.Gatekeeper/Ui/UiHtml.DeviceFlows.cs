using System.Text;
using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Ktizo.Gatekeeper.DeviceAuth;
using Microsoft.AspNetCore.Antiforgery;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>The device-auth page (docs/device-auth.md): live flows to confirm, re-arming a MAC, and refused downloads.</summary>
internal static partial class UiHtml
{
    /// <param name="hasIssued">whether a MAC had its token (its flows need a confirmation or a re-arm)</param>
    public static string DeviceFlows(
        IReadOnlyList<DeviceFlow> flows, IReadOnlyList<RefusedClaim> refusals, AntiforgeryTokenSet tokens, string? message, Func<MacAddress, bool> hasIssued)
    {
        var sb = new StringBuilder();
        sb.Append("<header><h1>Device authentication</h1><p><a href=\"/\">Devices</a></p></header><main id=\"main\">");
        if (message is not null)
        {
            sb.Append("<p role=\"status\">").Append(E(message)).Append("</p>");
        }

        sb.Append("<h2>Machines waiting for a token</h2>")
            .Append("<p class=\"hint\">Confirm only the code you read on the machine's own console. Two rows with one MAC mean two machines claim it: confirm at most one.</p>");
        if (flows.Count == 0)
        {
            sb.Append("<p class=\"hint\">No device flow is waiting.</p>");
        }
        else
        {
            Table(sb, "device-flows", ["MAC", "uuid", "From", "Started", "Code", ""]);
            var perMac = flows.GroupBy(f => f.Mac).ToDictionary(g => g.Key, g => g.Count());
            foreach (var flow in flows)
            {
                sb.Append(perMac[flow.Mac] > 1 ? "<tr class=\"refused\">" : "<tr>");
                Td(sb, "MAC", $"<code>{E(flow.Mac.ToString())}</code>" + (perMac[flow.Mac] > 1 ? " (claimed twice)" : string.Empty));
                Td(sb, "uuid", E(flow.Uuid ?? "–"));
                Td(sb, "From", E(flow.Source ?? "–"));
                Td(sb, "Started", Time(flow.StartedAt));
                Td(sb, "Code", $"<code>{E(flow.UserCode)}</code>");
                Td(sb, string.Empty, flow.Confirmed
                    ? "confirmed"
                    : $"<form class=\"inline\" method=\"post\" action=\"/ui/device-auth/confirm\">{Csrf(tokens)}<input type=\"hidden\" name=\"user_code\" value=\"{E(flow.UserCode)}\"><button type=\"submit\">Confirm {E(flow.UserCode)}</button></form>"
                      + (hasIssued(flow.Mac) ? " " + RearmButton(flow.Mac, tokens) : string.Empty));
                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div>");
        }

        sb.Append("<h2>Re-arm a MAC</h2>")
            .Append("<p class=\"hint\" id=\"rearm-hint\">Once a MAC had its token, every later flow for it needs a confirmation. Re-arming lets its next single claimant ")
            .Append("have the token in <code>first</code> mode (a planned reinstall). To keep the re-arm in git history instead, set <code>deviceAuthRearm</code> in the device file.</p>")
            .Append("<form class=\"inline\" method=\"post\" action=\"/ui/device-auth/rearm\">").Append(Csrf(tokens))
            .Append("<label for=\"rearm-mac\" class=\"hint\">MAC</label> <input id=\"rearm-mac\" name=\"mac\" required autocomplete=\"off\" aria-describedby=\"rearm-hint\"> ")
            .Append("<button type=\"submit\">Re-arm</button></form>");

        sb.Append("<h2>Refused config downloads</h2>");
        if (refusals.Count == 0)
        {
            sb.Append("<p class=\"hint\">None since the gatekeeper started.</p>");
        }
        else
        {
            Table(sb, "refused-claims", ["MAC", "From", "When", "Why"]);
            foreach (var refusal in refusals)
            {
                sb.Append("<tr>");
                Td(sb, "MAC", $"<code>{E(refusal.Mac.ToString())}</code>");
                Td(sb, "From", E(refusal.Address ?? "–"));
                Td(sb, "When", Time(refusal.At));
                Td(sb, "Why", E(refusal.Reason));
                sb.Append("</tr>");
            }

            sb.Append("</tbody></table></div>");
        }

        sb.Append("</main>");
        return sb.ToString();
    }

    private static string RearmButton(MacAddress mac, AntiforgeryTokenSet tokens) =>
        $"<form class=\"inline\" method=\"post\" action=\"/ui/device-auth/rearm\">{Csrf(tokens)}<input type=\"hidden\" name=\"mac\" value=\"{E(mac.ToString())}\"><button type=\"submit\">Re-arm {E(mac.ToString())}</button></form>";
}
