using Ktizo.Gatekeeper.Boot;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.GitHub;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Every setting of every command, in the order docs/gatekeeper.md lists them. Flags, environment
/// variables, appsettings.json keys, <c>--help</c> and the validator's messages all come from here.
/// </summary>
public static class KtizoSettings
{
    public static readonly IReadOnlyList<Setting> Gatekeeper =
    [
        new("Repository", typeof(GatekeeperOptions), "the git checkout around the current directory", "Where to clone from: a local path, or an https, ssh, git or file URL"),
        new("RepositoryToken", typeof(GatekeeperOptions), "none", "Token for https remotes (GitHub: fine-grained, contents: read); never logged"),
        new("Branch", typeof(GatekeeperOptions), "the checkout's current branch; main for a URL", "The tracked branch: a device file on it is an approval"),
        new("PollInterval", typeof(GatekeeperOptions), "30s", "How often to fetch (minimum 1s)"),
        new("RenderBudget", typeof(GatekeeperOptions), "30s", "Time to render all devices of one commit; a commit that needs more is refused as a whole (minimum 1s)"),
        new("Urls", typeof(GatekeeperOptions), "http://0.0.0.0:8000", "Listen URLs, ';'-separated"),
        new("PublicBaseUrl", typeof(GatekeeperOptions), "from the request", "How machines reach this server (used by boot.ipxe)"),
        new("DataFolder", typeof(GatekeeperOptions), "data", "Folder for the local clone and the store, relative to the current directory"),
        new("SecretsFile", typeof(GatekeeperOptions), "none: a bundle generated on first start in the data folder", "The cluster's secrets bundle (talosctl gen secrets format), outside git; refused when its group or others can read it"),
        new("AgeIdentityFile", typeof(GatekeeperOptions), "none: the bundle is not read from git", "An age identity file (age-keygen): the bundle is read age-encrypted from SecretsAgeFile in each commit; refused when its group or others can read it"),
        new("SecretsAgeFile", typeof(GatekeeperOptions), "secrets/bundle.yaml.age", "Where the age-encrypted bundle lives in the repository (with AgeIdentityFile)"),
        new("WebhookSecret", typeof(GatekeeperOptions), "none: every webhook is refused", "GitHub webhook secret, 16 characters or more"),
        new("AdminToken", typeof(GatekeeperOptions), "none: admin calls are refused", "Bearer token for POST /api/v1/sync, approving on the page, and reading devices; 16 characters or more"),
        new("ViewerToken", typeof(GatekeeperOptions), "none: only AdminToken reads devices", "Bearer token that reads the device list, the page and /readyz detail, nothing more; 16 characters or more"),
        new("RateLimitPermits", typeof(GatekeeperOptions), "300", "Requests per source address per window; 0 turns the limit off"),
        new("RateLimitWindow", typeof(GatekeeperOptions), "1m", "The window of the rate limit (minimum 1s)"),
        new("StoreFlushInterval", typeof(GatekeeperOptions), "5s", "How often repeat sightings held in memory are written (minimum 100ms)"),
        new("PendingRetention", typeof(GatekeeperOptions), "30d", "Never-approved devices not seen for this long are forgotten; 0 keeps them forever (else minimum 1h)"),
        new("HistoryEntries", typeof(GatekeeperOptions), "20", "Config downloads (and commits that changed a machine's render) kept per machine for history and drift (1 to 1000)"),
    ];

    /// <summary>The GitHub connection: the gatekeeper's pending issues, and <c>approve --pr</c>, <c>reject --pr</c>, <c>pr-comment</c>.</summary>
    public static readonly IReadOnlyList<Setting> GitHubConnection =
    [
        new("GitHub:Repository", typeof(GitHubOptions), "none: GitHub is off", "owner/name that receives issues and pull requests"),
        new("GitHub:ApiBaseUrl", typeof(GitHubOptions), "https://api.github.com/", "REST root; GitHub Enterprise: https://HOST/api/v3/"),
        new("GitHub:TokenFile", typeof(GitHubOptions), "none", "File holding the token (a mounted secret); wins over the variable"),
        new("GitHub:TokenEnvironmentVariable", typeof(GitHubOptions), "KTIZO_GITHUB_TOKEN", "The environment variable holding the token"),
        new("GitHub:MinMutationInterval", typeof(GitHubOptions), "1s", "Least time between two mutating requests"),
        new("GitHub:MaxContentCreationsPerHour", typeof(GitHubOptions), "400", "Content-creating requests allowed per sliding hour"),
    ];

    /// <summary>What only the gatekeeper's pending-issue worker reads.</summary>
    public static readonly IReadOnlyList<Setting> GitHubIssues =
    [
        new("GitHub:PendingLabel", typeof(GitHubOptions), "ktizo/pending", "Label on every pending issue (how existing issues are found)"),
        new("GitHub:DigestLabel", typeof(GitHubOptions), "ktizo/digest", "Extra label on digest issues"),
        new("GitHub:MaxOpenPendingIssues", typeof(GitHubOptions), "50", "Single issues open before further machines go into one digest issue"),
        new("GitHub:MaxDigestEntries", typeof(GitHubOptions), "500", "MACs in one digest issue before another is opened (1 to 1000)"),
        new("GitHub:MaxIssueCreationsPerMinute", typeof(GitHubOptions), "15", "Issues created per sliding minute (GitHub: about 20)"),
        new("GitHub:MaxIssueCreationsPerHour", typeof(GitHubOptions), "120", "Issues created per sliding hour (GitHub: about 150)"),
        new("GitHub:MaxClaimantCommentsPerHour", typeof(GitHubOptions), "20", "Second-claimant comments per sliding hour; the rest are only logged (0: none)"),
        new("GitHub:BatchSize", typeof(GitHubOptions), "100", "Sightings handled per worker pass"),
        new("GitHub:PollInterval", typeof(GitHubOptions), "5s", "How often the worker looks at the outbox when nobody wakes it"),
        new("GitHub:WakeDelay", typeof(GitHubOptions), "500ms", "Wait after a new sighting so machines booting together share one pass"),
        new("GitHub:FailureBackoff", typeof(GitHubOptions), "2s", "First wait after a failed pass, doubling"),
        new("GitHub:MaxFailureBackoff", typeof(GitHubOptions), "2m", "Longest wait after failed passes"),
        new("GitHub:SecondaryLimitBackoff", typeof(GitHubOptions), "1m", "Wait after a secondary limit without retry-after, doubling"),
        new("GitHub:MaxSecondaryLimitBackoff", typeof(GitHubOptions), "30m", "Longest wait after secondary limits"),
        new("GitHub:RefusedBackoff", typeof(GitHubOptions), "30m", "Wait between tries while GitHub refuses for good (issues disabled, token cannot write); the outbox keeps every machine"),
    ];

    public static readonly IReadOnlyList<Setting> Boot =
    [
        new("Boot:PublicBaseUrl", typeof(BootOptions), "PublicBaseUrl, else from the request", "The URL boot.ipxe points kernel, initramfs and talos.config at"),
        new("Boot:AssetsPath", typeof(BootOptions), "none: /talos/… answers 404", "Folder holding vmlinuz and initramfs.xz"),
        new("Boot:ConsoleArgs", typeof(BootOptions), BootOptions.DefaultConsoleArgs, "Console kernel arguments; the last console= gets Talos's log"),
        new("Boot:KernelArgs", typeof(BootOptions), "Talos's own for metal", "Further kernel arguments, space-separated"),
    ];

    /// <summary>How outgoing webhooks are delivered, for every receiver (docs/gatekeeper.md, Notifications).</summary>
    public static readonly IReadOnlyList<Setting> NotificationDelivery =
    [
        new("NotificationDelivery:FoldThreshold", typeof(NotificationDeliveryOptions), "20", "First sightings notified one by one per minute; the rest of that minute become one summary event (1 to 10000)"),
        new("NotificationDelivery:Timeout", typeof(NotificationDeliveryOptions), "10s", "Time for one delivery attempt, connecting included (100ms to 5m)"),
        new("NotificationDelivery:RetryBackoff", typeof(NotificationDeliveryOptions), "1s", "First wait after a failed delivery, doubling per failure in a row (minimum 10ms)"),
        new("NotificationDelivery:MaxRetryBackoff", typeof(NotificationDeliveryOptions), "5m", "Longest wait between attempts"),
        new("NotificationDelivery:MaxQueuedPerReceiver", typeof(NotificationDeliveryOptions), "10000", "Undelivered events kept per receiver; beyond it the oldest are dropped and counted (1 to 1000000)"),
        new("NotificationDelivery:PollInterval", typeof(NotificationDeliveryOptions), "5s", "How often the worker looks at the queues when nothing wakes it (minimum 10ms)"),
    ];

    /// <summary>
    /// The keys of one receiver in the <c>Notifications</c> list (<c>N</c> is its position: 0, 1, …). A list has no
    /// flags: environment variables and appsettings.json only; docs/gatekeeper.md has their table.
    /// </summary>
    public static readonly IReadOnlyList<Setting> NotificationReceiver =
    [
        new("Notifications:N:Url", typeof(NotificationReceiverOptions), "none: no notifications", "Where events are POSTed: an absolute http or https URL (never logged)"),
        new("Notifications:N:SecretFile", typeof(NotificationReceiverOptions), "none", "File holding the signing secret, 16 characters or more; wins over the variable"),
        new("Notifications:N:SecretEnvironmentVariable", typeof(NotificationReceiverOptions), "none", "The environment variable holding the signing secret (required for json, optional for slack)"),
        new("Notifications:N:Events", typeof(NotificationReceiverOptions), "all", "Comma-separated: device.pending, device.approved, device.rejected, commit.failed, claim.refused"),
        new("Notifications:N:Format", typeof(NotificationReceiverOptions), "json", "json (the event, signed) or slack ({\"text\": …} for Slack- and Mattermost-style incoming webhooks)"),
    ];

    /// <summary>Every key of the <c>GitHub</c> section.</summary>
    public static readonly IReadOnlyList<Setting> GitHub = [.. GitHubConnection, .. GitHubIssues];

    /// <summary>Every setting of <c>ktizo serve</c>.</summary>
    public static readonly IReadOnlyList<Setting> Serve = [.. Gatekeeper, .. GitHubConnection, .. GitHubIssues, .. NotificationDelivery, .. Boot];

    public static Setting Find(string key) =>
        Serve.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no setting {key}", nameof(key));
}
