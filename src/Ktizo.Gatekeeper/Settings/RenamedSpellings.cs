namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Spellings read before issue 14 gave every setting one (the hand-written flag and variable parsers and the
/// <c>Ktizo</c> section of appsettings.json). Each is an error naming its new spelling, never a silent alias.
/// </summary>
public static class RenamedSpellings
{
    /// <summary>Old environment variable → the key of the setting it was.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["KTIZO_REPOSITORY_TOKEN"] = "RepositoryToken",
        ["KTIZO_POLL_INTERVAL"] = "PollInterval",
        ["KTIZO_PUBLIC_BASE_URL"] = "PublicBaseUrl",
        ["KTIZO_DATA_FOLDER"] = "DataFolder",
        ["KTIZO_WEBHOOK_SECRET"] = "WebhookSecret",
        ["KTIZO_ADMIN_TOKEN"] = "AdminToken",
        ["KTIZO_RATE_LIMIT_PERMITS"] = "RateLimitPermits",
        ["KTIZO_RATE_LIMIT_WINDOW"] = "RateLimitWindow",
        ["KTIZO_STORE_FLUSH_INTERVAL"] = "StoreFlushInterval",
        ["KTIZO_GITHUB_REPOSITORY"] = "GitHub:Repository",
        ["KTIZO_GITHUB_API_URL"] = "GitHub:ApiBaseUrl",
        ["KTIZO_GITHUB_TOKEN_FILE"] = "GitHub:TokenFile",
        ["KTIZO_GITHUB_TOKEN_VARIABLE"] = "GitHub:TokenEnvironmentVariable",
        ["KTIZO_GITHUB_PENDING_LABEL"] = "GitHub:PendingLabel",
        ["KTIZO_GITHUB_DIGEST_LABEL"] = "GitHub:DigestLabel",
        ["KTIZO_GITHUB_MAX_OPEN_ISSUES"] = "GitHub:MaxOpenPendingIssues",
    };

    /// <summary>Old flag → the key of the setting it was (the other old flags are spelled as before).</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--github-api-url"] = "GitHub:ApiBaseUrl",
        ["--github-max-open-issues"] = "GitHub:MaxOpenPendingIssues",
        ["--github-token-variable"] = "GitHub:TokenEnvironmentVariable",
    };

    /// <summary>The appsettings.json section the gatekeeper's settings used to sit in; they are at the root now.</summary>
    public const string OldSection = "Ktizo";

    public static string VariableMessage(string old, Setting setting) =>
        $"{old} is not read any more: set {setting.EnvironmentVariable} instead";

    public static string FlagMessage(string old, Setting setting) =>
        $"{old} is not read any more: use {setting.Flag} instead";

    public static string KeyMessage(string old, string key) =>
        $"the appsettings.json key {old} is not read any more: set {key} instead";
}
