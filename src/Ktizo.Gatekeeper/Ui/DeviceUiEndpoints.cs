using System.Text;
using Ktizo.Core;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.Security;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Sync;
using Ktizo.GitHub;
using Ktizo.GitHub.Approval;
using Ktizo.Store;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Ui;

/// <summary>
/// The device management page at <c>/</c>: every machine, pending, approved and rejected; approving or
/// rejecting one through the code path of <c>ktizo approve --pr</c> (<see cref="DeviceProposals"/>).
/// Every POST needs the admin session cookie and a valid anti-forgery token; the merge of the pull
/// request stays the approval.
/// </summary>
public static class DeviceUiEndpoints
{
    /// <summary>Services the page needs beyond the gatekeeper's (anti-forgery, its session; GitHub off unless registered).</summary>
    public static IServiceCollection AddDeviceUi(this IServiceCollection services)
    {
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "ktizo-antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.FormFieldName = "__csrf";
        });
        // Data protection (under anti-forgery) loads its XML key ring at start-up from a hosted service. Only
        // this page needs it, so it loads on the page's first request instead: booting machines never pay
        // for it (System.Private.Xml and its JIT code, resident memory: docs/benchmarks.md, item 12).
        foreach (var prewarm in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(prewarm);
        }
        services.AddSingleton<AdminSession>();
        services.AddScoped<UiData>();
        services.TryAddSingleton<IApprovalPullRequests, NullApprovalPullRequests>();
        return services;
    }

    public static IEndpointRouteBuilder MapDeviceUi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Index).ExcludeFromDescription();
        endpoints.MapGet("/ui/live", Live).ExcludeFromDescription();
        endpoints.MapGet("/ui/app.css", () => Results.Text(UiAssets.Css, "text/css; charset=utf-8")).ExcludeFromDescription();
        endpoints.MapGet("/ui/app.js", () => Results.Text(UiAssets.Js, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        endpoints.MapPost("/ui/signin", SignIn).ExcludeFromDescription();
        endpoints.MapPost("/ui/signout", SignOut).ExcludeFromDescription();
        endpoints.MapGet("/ui/devices/{mac}", Decide).ExcludeFromDescription();
        endpoints.MapGet("/ui/devices/{mac}/config", RedactedConfig).ExcludeFromDescription();
        endpoints.MapPost("/ui/devices/{mac}/approve", Approve).ExcludeFromDescription();
        endpoints.MapPost("/ui/devices/{mac}/reject", Reject).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> Index(HttpContext context, UiData data, CallerAccess access, IAntiforgery antiforgery)
    {
        var caller = access.Of(context);
        var tokens = antiforgery.GetAndStoreTokens(context);
        if (!caller.MayRead)
        {
            return SignInPage(context, access, tokens, message: null);
        }

        var view = await data.LoadAsync(Search(context), context.RequestAborted).ConfigureAwait(false);
        return Page(context, "Devices", UiHtml.Index(view, caller.Role, tokens, message: null));
    }

    private static async Task<IResult> Live(HttpContext context, UiData data, CallerAccess access)
    {
        var caller = access.Of(context);
        if (!caller.MayRead)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Html(context, UiHtml.Message("Sign in", SignInHint(access), error: true), StatusCodes.Status401Unauthorized);
        }

        var view = await data.LoadAsync(Search(context), context.RequestAborted).ConfigureAwait(false);
        return Html(context, UiHtml.Live(view, caller.IsAdmin));
    }

    private static async Task<IResult> SignIn(HttpContext context, CallerAccess access, AdminSession session, IAntiforgery antiforgery, ILogger<AdminSession> logger)
    {
        if (await Refusal(context, antiforgery, session, requireSession: false).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var role = session.TrySignIn(context, form["token"]);
        if (role != CallerRole.Anonymous)
        {
            logger.LogInformation("{Role} signed in to the page from {Address}", role, context.Connection.RemoteIpAddress);
            return Results.Redirect("/", permanent: false);
        }

        logger.LogWarning("Page sign-in refused from {Address}", context.Connection.RemoteIpAddress);
        var tokens = antiforgery.GetAndStoreTokens(context);
        var message = session.Enabled ? "That is neither the admin token nor the viewer token." : ReadAccess.Closed;
        return SignInPage(context, access, tokens, message);
    }

    /// <summary>What a caller who may not read devices gets at <c>/</c>: the sign-in form (or why there is none), no device data.</summary>
    private static IResult SignInPage(HttpContext context, CallerAccess access, AntiforgeryTokenSet tokens, string? message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Page(context, "Sign in", UiHtml.SignIn(access.Tokens.ReadingEnabled, tokens, message ?? (access.Of(context).WrongToken ? "That bearer token is neither the admin token nor the viewer token." : null)), StatusCodes.Status401Unauthorized);
    }

    private static string SignInHint(CallerAccess access) =>
        access.Tokens.ReadingEnabled ? "Sign in with the admin or viewer token to see devices." : ReadAccess.Closed;

    /// <summary>The page's search (<c>?mac=</c>, a MAC or its beginning); null when absent, empty when not a MAC prefix.</summary>
    private static string? Search(HttpContext context) =>
        context.Request.Query.TryGetValue("mac", out var mac) ? mac.ToString() : null;

    private static async Task<IResult> SignOut(HttpContext context, AdminSession session, IAntiforgery antiforgery)
    {
        if (await Refusal(context, antiforgery, session, requireSession: false).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        AdminSession.SignOut(context);
        return Results.Redirect("/", permanent: false);
    }

    private static async Task<IResult> Decide(string mac, HttpContext context, UiData data, AdminSession session, IAntiforgery antiforgery)
    {
        if (!session.IsSignedIn(context))
        {
            return Page(context, "Sign in", UiHtml.Message("Sign in first", "Approving and rejecting need the admin sign-in.", error: true), StatusCodes.Status403Forbidden);
        }

        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return Page(context, "Bad MAC", UiHtml.Message("Malformed MAC", $"'{mac}' is not a MAC address.", error: true), StatusCodes.Status400BadRequest);
        }

        var set = data.State.Snapshot?.Set;
        var form = new ApproveForm(parsed.ToString(), Suggestions.NextHostname(set, Role.Worker), Suggestions.NextAddress(set) ?? string.Empty, "worker");
        var tokens = antiforgery.GetAndStoreTokens(context);
        return Page(context, $"Decide {parsed}", UiHtml.Decide(form, Suggestions.NextHostname(set, Role.ControlPlane), data.GitHubEnabled, tokens, errors: [], rejectErrors: []));
    }

    private static async Task<IResult> RedactedConfig(
        string mac, HttpContext context, UiData data, AdminSession session, DriftExplainer drift, DeviceStore store)
    {
        if (!session.IsSignedIn(context))
        {
            return Page(context, "Sign in", UiHtml.Message("Sign in first", "Rendered configs are shown to the signed-in admin only (secrets redacted).", error: true), StatusCodes.Status403Forbidden);
        }

        if (!MacAddress.TryParse(mac, out var parsed) || data.State.Snapshot?.Set.Approved.TryGetValue(parsed, out var config) != true)
        {
            return Page(context, "Not found", UiHtml.Message("No config", $"No approved device {mac} in the served commit.", error: true), StatusCodes.Status404NotFound);
        }

        var report = await drift.ExplainAsync(parsed, context.RequestAborted).ConfigureAwait(false);
        var history = await store.HistoryAsync(parsed, store.HistoryEntries, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var sections = UiHtml.DriftSections(report, history, store.HistoryEntries, data.PullRequestUrl);
        return Page(context, $"Config of {config!.Device.Hostname}", UiHtml.Config(config, data.State.Snapshot!.Commit, data.State.Snapshot.Set.Cluster.TalosVersion, sections));
    }

    private static async Task<IResult> Approve(string mac, HttpContext context, UiData data, AdminSession session, IAntiforgery antiforgery, ILogger<AdminSession> logger)
    {
        if (await Refusal(context, antiforgery, session, requireSession: true).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var posted = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var form = new ApproveForm(mac, posted["hostname"].ToString().Trim(), posted["ip"].ToString().Trim(), posted["role"].ToString().Trim());
        var proposal = DeviceProposal.Approve(new ApprovedDeviceFields(form.Mac, form.Hostname, form.Role, form.Ip, null, null, null), await data.IssueOfAsync(mac, context.RequestAborted).ConfigureAwait(false));
        return await ProposeAsync(context, data, antiforgery, logger, proposal, form, isReject: false).ConfigureAwait(false);
    }

    private static async Task<IResult> Reject(string mac, HttpContext context, UiData data, AdminSession session, IAntiforgery antiforgery, ILogger<AdminSession> logger)
    {
        if (await Refusal(context, antiforgery, session, requireSession: true).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var posted = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var reason = posted["reason"].ToString().Trim();
        var proposal = DeviceProposal.Reject(mac, reason.Length == 0 ? null : reason, await data.IssueOfAsync(mac, context.RequestAborted).ConfigureAwait(false));
        var set = data.State.Snapshot?.Set;
        var form = new ApproveForm(mac, Suggestions.NextHostname(set, Role.Worker), Suggestions.NextAddress(set) ?? string.Empty, "worker", reason);
        return await ProposeAsync(context, data, antiforgery, logger, proposal, form, isReject: true).ConfigureAwait(false);
    }

    /// <summary>Validate with the file added (CI's validator); only then open the pull request, or show the file and git commands.</summary>
    private static async Task<IResult> ProposeAsync(
        HttpContext context, UiData data, IAntiforgery antiforgery, ILogger logger, DeviceProposal proposal, ApproveForm form, bool isReject)
    {
        var check = data.Validate(proposal);
        if (!check.IsValid)
        {
            logger.LogInformation("Page proposal of {Path} refused by the validator: {Errors}", proposal.Path, check.Errors.Count);
            var tokens = antiforgery.GetAndStoreTokens(context);
            var cpName = Suggestions.NextHostname(data.State.Snapshot?.Set, Role.ControlPlane);
            return Page(
                context,
                "Refused",
                UiHtml.Decide(form, cpName, data.GitHubEnabled, tokens, isReject ? [] : check.Errors, isReject ? check.Errors : []),
                StatusCodes.Status422UnprocessableEntity);
        }

        if (!data.GitHubEnabled)
        {
            return Page(context, "Commit it", UiHtml.ByHand(proposal, DeviceProposals.GitCommands(proposal, check.Set!)));
        }

        try
        {
            var opened = await DeviceProposals.OpenPullRequestAsync(data.PullRequests, proposal, check.Set!, context.RequestAborted).ConfigureAwait(false);
            logger.LogInformation("Page opened pull request #{PullRequest} adding {Path}", opened.Number, proposal.Path);
            return Page(context, "Pull request opened", UiHtml.Opened(proposal, opened));
        }
        catch (KtizoException e)
        {
            logger.LogWarning(e, "Page could not open the pull request adding {Path}", proposal.Path);
            return Page(
                context,
                "GitHub failed",
                UiHtml.Message("GitHub refused the pull request", $"Nothing was merged. GitHub said: {e.Message}", error: true),
                StatusCodes.Status502BadGateway);
        }
    }

    /// <summary>The answer for a POST that must not proceed: no anti-forgery token, or (when needed) no admin session.</summary>
    internal static async Task<IResult?> Refusal(HttpContext context, IAntiforgery antiforgery, AdminSession session, bool requireSession)
    {
        if (!context.Request.HasFormContentType)
        {
            return Page(context, "Refused", UiHtml.Message("Refused", "Forms only.", error: true), StatusCodes.Status400BadRequest);
        }

        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Page(context, "Refused", UiHtml.Message("Refused", "The form's anti-forgery token is missing or wrong: reload the page and try again.", error: true), StatusCodes.Status400BadRequest);
        }

        if (requireSession && !session.IsSignedIn(context))
        {
            return Page(context, "Refused", UiHtml.Message("Refused", "Sign in as admin first: without it the page is read-only.", error: true), StatusCodes.Status403Forbidden);
        }

        return null;
    }

    internal static IResult Page(HttpContext context, string title, string main, int status = StatusCodes.Status200OK) =>
        Html(context, UiHtml.Layout(title, main), status);

    private static IResult Html(HttpContext context, string html, int status = StatusCodes.Status200OK)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.XFrameOptions = "DENY";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
        context.Response.Headers["Referrer-Policy"] = "same-origin";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}

/// <summary>The approve form's values (as typed, or as suggested).</summary>
public sealed record ApproveForm(string Mac, string Hostname, string Ip, string Role, string? Reason = null);

/// <summary>
/// Everything the page shows, read once per request, and bounded whatever the store holds (issue 15, finding 5):
/// counts by status, the newest pending machines, the first decided ones, and a search by MAC.
/// </summary>
public sealed record UiView(
    ServingSnapshot? Snapshot,
    SyncStatus Status,
    DeviceCounts Counts,
    IReadOnlyList<DeviceReading> Pending,
    IReadOnlyList<DeviceReading> Approved,
    IReadOnlyList<DeviceReading> Rejected,
    UiSearch? Search,
    IReadOnlyDictionary<MacAddress, Uri> IssueUrls)
{
    /// <summary>A pull request's page where GitHub is configured (drift and history link commits to it), else null.</summary>
    public Func<int?, Uri?> PullRequestUrl { get; init; } = _ => null;
}

/// <summary>A search by MAC as typed, its prefix in the store's spelling (null when it is not one), and what it found.</summary>
public sealed record UiSearch(string Typed, string? Prefix, IReadOnlyList<DeviceReading> Found);

/// <summary>What the page reads: the serving state, the store, git (for validation) and GitHub, each optional where it may be off.</summary>
public sealed class UiData(IServiceProvider services, ServingState state, DeviceDirectory directory, IRepositorySource repository, IApprovalPullRequests pullRequests)
{
    /// <summary>Pending machines shown, newest first; the rest are counted and found by search.</summary>
    public const int PendingShown = 50;

    /// <summary>Approved and rejected devices shown each (by hostname); the rest are counted and found by search.</summary>
    public const int DecidedShown = 100;

    public const int SearchShown = 50;

    private IReadOnlyDictionary<MacAddress, int> _issues = new Dictionary<MacAddress, int>();

    public ServingState State { get; } = state;

    public IApprovalPullRequests PullRequests { get; } = pullRequests;

    public bool GitHubEnabled => PullRequests.Enabled;

    public async Task<UiView> LoadAsync(string? search, CancellationToken cancellationToken)
    {
        var counts = directory.Counts();
        var pending = await directory.NewestPendingAsync(PendingShown, cancellationToken).ConfigureAwait(false);
        var approved = await directory.DecidedAsync(DeviceStatus.Approved, DecidedShown, cancellationToken).ConfigureAwait(false);
        var rejected = await directory.DecidedAsync(DeviceStatus.Rejected, DecidedShown, cancellationToken).ConfigureAwait(false);
        UiSearch? found = null;
        if (!string.IsNullOrWhiteSpace(search))
        {
            found = MacPrefix.TryParse(search, out var prefix)
                ? new UiSearch(search, prefix, await directory.SearchAsync(prefix, SearchShown, cancellationToken).ConfigureAwait(false))
                : new UiSearch(search, null, []);
        }

        var shown = pending.Concat(found?.Found ?? []).ToList();
        _issues = await IssuesAsync(shown.Select(d => d.Mac), cancellationToken).ConfigureAwait(false);
        var issueUrls = new Dictionary<MacAddress, Uri>();
        foreach (var device in shown)
        {
            if (IssueUrl(device.Mac) is { } url)
            {
                issueUrls[device.Mac] = url;
            }
        }

        return new UiView(State.Snapshot, State.Status, counts, pending, approved, rejected, found, issueUrls) { PullRequestUrl = PullRequestUrl };
    }

    public async Task<int?> IssueOfAsync(string mac, CancellationToken cancellationToken)
    {
        if (!MacAddress.TryParse(mac, out var parsed))
        {
            return null;
        }

        _issues = await IssuesAsync([parsed], cancellationToken).ConfigureAwait(false);
        return _issues.TryGetValue(parsed, out var n) ? n : null;
    }

    /// <summary>Validates against the served commit's tree: the same tree the gatekeeper renders, as CI would with the file added.</summary>
    public ProposalCheck Validate(DeviceProposal proposal)
    {
        var commit = State.Snapshot?.Commit;
        if (commit is null)
        {
            return new ProposalCheck([new Core.Validation.Diagnostic("not-ready", "no commit is served yet; wait for the first sync", new Core.Validation.SourceLocation(proposal.Path, 0, 0))], null);
        }

        var tree = repository.OpenTree(commit);
        try
        {
            return DeviceProposals.Validate(tree, proposal);
        }
        finally
        {
            (tree as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The open pending issues of the shown devices only, where the GitHub integration registered its outbox; none
    /// otherwise. Never every open issue: invented MACs filed in digests would make that the whole table again.
    /// </summary>
    private async Task<IReadOnlyDictionary<MacAddress, int>> IssuesAsync(IEnumerable<MacAddress> macs, CancellationToken cancellationToken)
    {
        if (services.GetService<IIssueOutbox>() is null)
        {
            return new Dictionary<MacAddress, int>();
        }

        try
        {
            return await services.GetRequiredService<DeviceStore>().OpenIssuesOfAsync(macs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Dictionary<MacAddress, int>();
        }
    }

    /// <summary>The pull request's page, where a GitHub repository is configured.</summary>
    public Uri? PullRequestUrl(int? number) => GitHub.GitHubWeb.PullRequest(services.GetService<GitHubOptions>(), number);

    private Uri? IssueUrl(MacAddress mac) =>
        _issues.TryGetValue(mac, out var number) && GitHub.GitHubWeb.Repository(services.GetService<GitHubOptions>()) is { } web
            ? new Uri(web, $"issues/{number}")
            : null;
}
