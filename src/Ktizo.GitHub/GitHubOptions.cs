using System.Text.RegularExpressions;
using Ktizo.Core.Settings;

namespace Ktizo.GitHub;

/// <summary>
/// Settings of the GitHub integration, bound from the <c>GitHub</c> configuration section. Without a
/// <see cref="Repository"/> the feature is off (null implementations, no worker). The token itself is
/// never a setting: it is read from the environment variable or file named here, when the client is made.
/// </summary>
public sealed partial class GitHubOptions
{
    public const string SectionName = "GitHub";

    /// <summary>The repository that receives pending issues and approval pull requests: <c>owner/name</c>.</summary>
    public string? Repository { get; set; }

    /// <summary>
    /// The REST root, with any path prefix: <c>https://api.github.com/</c>, or
    /// <c>https://ghe.example.com/api/v3/</c> for GitHub Enterprise Server. Used as given.
    /// </summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.github.com/");

    /// <summary>Environment variable holding the token; used when <see cref="TokenFile"/> is not set.</summary>
    public string TokenEnvironmentVariable { get; set; } = "KTIZO_GITHUB_TOKEN";

    /// <summary>A file holding the token (a mounted secret). Wins over the environment variable.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Label on every pending issue; the worker finds existing issues by it.</summary>
    public string PendingLabel { get; set; } = "ktizo/pending";

    /// <summary>Extra label on digest issues.</summary>
    public string DigestLabel { get; set; } = "ktizo/digest";

    /// <summary>
    /// Open single pending issues above which further machines are folded into a digest issue,
    /// so a boot storm cannot flood the tracker or the content-creation limit.
    /// </summary>
    public int MaxOpenPendingIssues { get; set; } = 50;

    /// <summary>MACs listed in one digest issue before another is opened; fewer when GitHub's 65,536-character body limit comes first (about 530 lines).</summary>
    public int MaxDigestEntries { get; set; } = 500;

    /// <summary>Minimum time between two mutating requests (GitHub asks for serial and ≥ 1 s apart).</summary>
    public Duration MinMutationInterval { get; set; } = Duration.FromSeconds(1);

    /// <summary>Content-creating requests allowed per sliding hour (GitHub's secondary limit is about 500).</summary>
    public int MaxContentCreationsPerHour { get; set; } = 400;

    /// <summary>
    /// Issues created per sliding minute. GitHub limits creating issues below its general content limit
    /// (observed: about 20 a minute, 150 an hour, often answered without <c>retry-after</c>, then a minute's
    /// wait or more); this stays under it so a storm is paced, not throttled.
    /// </summary>
    public int MaxIssueCreationsPerMinute { get; set; } = 15;

    /// <summary>Issues created per sliding hour (GitHub: about 150).</summary>
    public int MaxIssueCreationsPerHour { get; set; } = 120;

    /// <summary>
    /// Second-claimant comments (two live device flows for one MAC, docs/device-auth.md) posted per sliding
    /// hour; beyond it the rest are only logged, so spoofed MACs cannot spend the content budget. 0: none.
    /// </summary>
    public int MaxClaimantCommentsPerHour { get; set; } = 20;

    /// <summary>Sightings handled per worker pass.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the worker looks at the outbox when nobody wakes it.</summary>
    public Duration PollInterval { get; set; } = Duration.FromSeconds(5);

    /// <summary>
    /// How long the worker waits after a new sighting wakes it, so machines that boot together share one
    /// pass: in a boot storm a pass per wake-up was a pass per machine or two, each reading every open
    /// outbox row, CPU taken from answering them (docs/benchmarks.md, item 10).
    /// </summary>
    public Duration WakeDelay { get; set; } = Duration.FromMilliseconds(500);

    /// <summary>First wait after a failed pass (GitHub down, 5xx); doubles up to <see cref="MaxFailureBackoff"/>.</summary>
    public Duration FailureBackoff { get; set; } = Duration.FromSeconds(2);

    public Duration MaxFailureBackoff { get; set; } = Duration.FromMinutes(2);

    /// <summary>Wait after a secondary limit without <c>retry-after</c> (GitHub: at least a minute), doubling each time.</summary>
    public Duration SecondaryLimitBackoff { get; set; } = Duration.FromMinutes(1);

    public Duration MaxSecondaryLimitBackoff { get; set; } = Duration.FromMinutes(30);

    /// <summary>
    /// Wait after GitHub refuses for a reason only a person can fix (issues disabled, a token that cannot write):
    /// the worker parks this long between tries instead of retrying every few seconds; the outbox keeps every row.
    /// </summary>
    public Duration RefusedBackoff { get; set; } = Duration.FromMinutes(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Repository);

    public string Owner => Repository!.Split('/')[0];

    public string Name => Repository!.Split('/')[1];

    /// <summary>
    /// Every problem at once, each as (property, problem); empty when the options are usable or the feature is off.
    /// The settings validator names each setting with its flag, variable and key.
    /// </summary>
    public IReadOnlyList<(string Property, string Problem)> Validate()
    {
        var errors = new List<(string, string)>();
        if (!Enabled)
        {
            return errors;
        }

        if (!RepositoryPattern().IsMatch(Repository!))
        {
            errors.Add((nameof(Repository), $"must be 'owner/name', got '{Repository}'"));
        }

        if (!ApiBaseUrl.IsAbsoluteUri || (ApiBaseUrl.Scheme != Uri.UriSchemeHttps && ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add((nameof(ApiBaseUrl), $"must be an absolute http(s) URL, got '{ApiBaseUrl}'"));
        }

        if (string.IsNullOrWhiteSpace(TokenFile) && string.IsNullOrWhiteSpace(TokenEnvironmentVariable))
        {
            errors.Add((nameof(TokenEnvironmentVariable), "must name the variable holding the token when no TokenFile is set"));
        }

        if (string.IsNullOrWhiteSpace(PendingLabel))
        {
            errors.Add((nameof(PendingLabel), "must not be empty"));
        }

        if (MaxOpenPendingIssues < 0)
        {
            errors.Add((nameof(MaxOpenPendingIssues), $"must be 0 or more, got {MaxOpenPendingIssues}"));
        }

        if (MaxDigestEntries < 1 || MaxDigestEntries > 1000)
        {
            errors.Add((nameof(MaxDigestEntries), $"must be between 1 and 1000, got {MaxDigestEntries}"));
        }

        if (MaxContentCreationsPerHour < 1)
        {
            errors.Add((nameof(MaxContentCreationsPerHour), $"must be at least 1, got {MaxContentCreationsPerHour}"));
        }

        if (MaxIssueCreationsPerMinute < 1)
        {
            errors.Add((nameof(MaxIssueCreationsPerMinute), $"must be at least 1, got {MaxIssueCreationsPerMinute}"));
        }

        if (MaxIssueCreationsPerHour < 1)
        {
            errors.Add((nameof(MaxIssueCreationsPerHour), $"must be at least 1, got {MaxIssueCreationsPerHour}"));
        }

        if (MaxClaimantCommentsPerHour < 0)
        {
            errors.Add((nameof(MaxClaimantCommentsPerHour), $"must be 0 or more, got {MaxClaimantCommentsPerHour}"));
        }

        if (BatchSize < 1)
        {
            errors.Add((nameof(BatchSize), $"must be at least 1, got {BatchSize}"));
        }

        foreach (var (name, value) in new[] { (nameof(PollInterval), PollInterval), (nameof(FailureBackoff), FailureBackoff), (nameof(SecondaryLimitBackoff), SecondaryLimitBackoff), (nameof(RefusedBackoff), RefusedBackoff) })
        {
            if (value.Value <= TimeSpan.Zero)
            {
                errors.Add((name, $"must be longer than 0, got {value}"));
            }
        }

        if (WakeDelay.Value > PollInterval.Value)
        {
            errors.Add((nameof(WakeDelay), $"must not be longer than PollInterval ({PollInterval}), got {WakeDelay}"));
        }

        return errors;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryPattern();
}
