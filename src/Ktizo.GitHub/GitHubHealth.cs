namespace Ktizo.GitHub;

/// <summary>Why GitHub refused a request; each is one value of the metric's <c>reason</c> label.</summary>
public enum GitHubRefusalReason
{
    /// <summary>410 "Issues are disabled for this repo": only a person can fix it (repository settings).</summary>
    IssuesDisabled,

    /// <summary>403 "Resource not accessible by integration": the token can read but not write (a fork's, or too narrow).</summary>
    NotAccessible,

    /// <summary>403/429 secondary rate limit: waited out by the pacer, then the request is sent again.</summary>
    SecondaryLimit,

    /// <summary>403/429 with <c>x-ratelimit-remaining: 0</c>: waited out until <c>x-ratelimit-reset</c>.</summary>
    PrimaryLimit,
}

/// <summary>
/// What GitHub refused and whether the worker is parked, shared by the pacer, the worker and the gatekeeper's
/// metrics (<c>ktizo_github_refusals_total{reason}</c>, <c>ktizo_github_parked</c>,
/// <c>ktizo_github_rate_limit_headers_missing</c>). Counts only; the lines a person reads are logged where
/// the refusal is met, once per episode.
/// </summary>
public sealed class GitHubHealth
{
    private readonly long[] _refusals = new long[Enum.GetValues<GitHubRefusalReason>().Length];
    private volatile GitHubParked? _parked;
    private volatile bool _rateLimitHeadersMissing;

    /// <summary>The fixed label values of <c>ktizo_github_refusals_total</c>, in <see cref="GitHubRefusalReason"/> order.</summary>
    public static IReadOnlyList<(GitHubRefusalReason Reason, string Label)> Reasons { get; } =
    [
        (GitHubRefusalReason.IssuesDisabled, "issues_disabled"),
        (GitHubRefusalReason.NotAccessible, "not_accessible"),
        (GitHubRefusalReason.SecondaryLimit, "secondary_limit"),
        (GitHubRefusalReason.PrimaryLimit, "primary_limit"),
    ];

    /// <summary>Set while the worker waits out a refusal only a person can fix; null otherwise.</summary>
    public GitHubParked? Parked => _parked;

    /// <summary>True once GitHub answered without <c>x-ratelimit-*</c> headers (GitHub Enterprise Server, limits off).</summary>
    public bool RateLimitHeadersMissing
    {
        get => _rateLimitHeadersMissing;
        internal set => _rateLimitHeadersMissing = value;
    }

    public long Refusals(GitHubRefusalReason reason) => Interlocked.Read(ref _refusals[(int)reason]);

    internal void Refused(GitHubRefusalReason reason) => Interlocked.Increment(ref _refusals[(int)reason]);

    internal void Park(GitHubParked parked) => _parked = parked;

    internal void Unpark() => _parked = null;
}

/// <param name="Reason">what GitHub refused</param>
/// <param name="Since">the first refused pass of this episode</param>
/// <param name="Until">when the next pass tries again</param>
/// <param name="Passes">refused passes in this episode</param>
public sealed record GitHubParked(GitHubRefusalReason Reason, DateTimeOffset Since, DateTimeOffset Until, int Passes);
