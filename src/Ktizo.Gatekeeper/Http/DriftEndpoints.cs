using System.Globalization;
using Ktizo.Core;
using Ktizo.Core.Drift;
using Ktizo.Core.Inventory;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.GitHub;
using Ktizo.Gatekeeper.Security;
using Ktizo.GitHub;
using Ktizo.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// What each machine got and what git says it should have now (issue 20, docs/drift.md): a device's served history and its
/// drift with the redacted diff. Viewer or admin token, like <c>GET /api/v1/devices/{mac}</c>.
/// </summary>
public static class DriftEndpoints
{
    public const int DefaultHistoryLimit = 20;
    public const int MaxHistoryLimit = 100;

    public static RouteGroupBuilder MapDrift(this RouteGroupBuilder api)
    {
        api.MapGet("/devices/{mac}/history", History);
        api.MapGet("/devices/{mac}/drift", Drift);
        return api;
    }

    /// <summary><c>GET /api/v1/devices/{mac}/history?limit=&amp;before=</c>: served answers, newest first, in pages.</summary>
    public static async Task<Results<Ok<HistoryView>, ProblemHttpResult>> History(
        string mac, HttpContext context, DeviceDirectory devices, DeviceStore store, CallerAccess access, CancellationToken cancellationToken)
    {
        if (ReadAccess.Refusal(context, access) is { } refused)
        {
            return refused;
        }

        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return Problems.MalformedMac(mac);
        }

        var query = context.Request.Query;
        var limit = DefaultHistoryLimit;
        if (query.TryGetValue("limit", out var limitText)
            && !(int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxHistoryLimit))
        {
            return Problems.BadRequest("Bad limit", $"'limit' must be a whole number from 1 to {MaxHistoryLimit} (default {DefaultHistoryLimit}).");
        }

        long? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            if (!long.TryParse(beforeText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b < 1)
            {
                return Problems.BadRequest("Bad cursor", "'before' must be the cursor a previous page's 'next' carries.");
            }

            before = b;
        }

        if (await devices.GetAsync(parsed, cancellationToken).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"{parsed} has never been seen and has no device file.");
        }

        var github = context.RequestServices.GetService<GitHubOptions>();
        var entries = await store.HistoryAsync(parsed, limit + 1, before, cancellationToken).ConfigureAwait(false);
        var page = entries.Take(limit).Select(e => new ServedView(
            e.Commit, e.ConfigHash, e.PullRequest, GitHubWeb.PullRequest(github, e.PullRequest)?.ToString(), e.Time, e.Address)).ToList();
        var next = entries.Count > limit
            ? $"/api/v1/devices/{Uri.EscapeDataString(parsed.ToString())}/history?limit={limit}&before={entries[limit - 1].Id.ToString(CultureInfo.InvariantCulture)}"
            : null;
        return TypedResults.Ok(new HistoryView(parsed.ToString(), store.HistoryEntries, page, next));
    }

    /// <summary><c>GET /api/v1/devices/{mac}/drift</c>: the drift state, and for a drifted machine the redacted diff and the apply mode.</summary>
    public static async Task<Results<Ok<DriftReportView>, ProblemHttpResult>> Drift(
        string mac, HttpContext context, DriftExplainer explainer, CallerAccess access, CancellationToken cancellationToken)
    {
        if (ReadAccess.Refusal(context, access) is { } refused)
        {
            return refused;
        }

        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return Problems.MalformedMac(mac);
        }

        var report = await explainer.ExplainAsync(parsed, cancellationToken).ConfigureAwait(false);
        if (report is null)
        {
            return Problems.NotFound($"{parsed} has never been seen and has no device file.");
        }

        if (report.Device.Drift is null)
        {
            return Problems.NotFound($"{parsed} is {report.Device.Status.Name()}, not approved by the served commit: it has no drift.");
        }

        return TypedResults.Ok(DriftReportView.Of(report, context.RequestServices.GetService<GitHubOptions>()));
    }
}

/// <summary>The answer of <c>GET /api/v1/devices/{mac}/drift</c>.</summary>
/// <param name="Node">The address the device file gives it (without prefix): where <c>talosctl --nodes</c> reaches it.</param>
/// <param name="Diff">Redacted unified diff from what it got (a/) to what git renders now (b/).</param>
/// <param name="DiffUnavailable">Why a drifted machine's diff is not shown.</param>
/// <param name="ApplyMode"><c>no-reboot</c> or <c>reboot</c>, for <c>talosctl apply-config --mode</c>.</param>
/// <param name="ApplyRule">Whose rule decided the mode: <c>Talos v1.13</c> (docs/drift.md, "Which mode").</param>
/// <param name="ApplyRuleNote">Set when the cluster's Talos has no table of its own and the newest stands in.</param>
public sealed record DriftReportView(
    string Mac,
    string? Hostname,
    string? Node,
    string? Commit,
    DriftView Drift,
    string? SincePullRequestUrl,
    string? Diff,
    string? RedactedAs,
    string? DiffUnavailable,
    string? ApplyMode,
    IReadOnlyList<string>? ChangedParts,
    IReadOnlyList<string>? RebootParts,
    string? ApplyRule,
    string? ApplyRuleNote)
{
    public static DriftReportView Of(DriftReport report, GitHubOptions? github)
    {
        var device = report.Device;
        var drift = DriftView.Of(device.Drift)!;
        return new DriftReportView(
            device.Mac.ToString(), device.Hostname, device.Device?.Ip.Address.ToString(), report.Commit, drift,
            GitHubWeb.PullRequest(github, drift.SincePullRequest)?.ToString(),
            report.Diff, report.RedactedAs, report.Unavailable, report.Advice?.Mode, report.Advice?.Changed, report.Advice?.NeedReboot,
            report.Advice?.Rule, report.Advice?.RuleNote);
    }
}
