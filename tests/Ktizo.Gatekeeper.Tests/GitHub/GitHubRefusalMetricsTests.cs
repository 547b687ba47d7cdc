using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.GitHub;
using Ktizo.Store;
using Prometheus;

namespace Ktizo.Gatekeeper.Tests.GitHub;

/// <summary>Issue 21: GitHub's refusals and the worker's parked state reach the gatekeeper's /metrics, with a fixed label set.</summary>
public sealed class GitHubRefusalMetricsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Scrape_AfterRefusals_ShowsEachReasonCountedAndTheParkedState()
    {
        using var store = DeviceStore.Open(_folder.Sub("ktizo.db"));
        var github = new GitHubHealth();
        var metrics = new GatekeeperMetrics(new ServingState(), store, TimeProvider.System, github);
        github.Refused(GitHubRefusalReason.IssuesDisabled);
        github.Refused(GitHubRefusalReason.IssuesDisabled);
        github.Refused(GitHubRefusalReason.SecondaryLimit);
        github.Park(new GitHubParked(GitHubRefusalReason.IssuesDisabled, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(30), 2));
        github.RateLimitHeadersMissing = true;

        var text = await ScrapeAsync(metrics);

        Assert.Contains("ktizo_github_refusals_total{reason=\"issues_disabled\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_refusals_total{reason=\"secondary_limit\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_refusals_total{reason=\"not_accessible\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_refusals_total{reason=\"primary_limit\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_parked 1", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_rate_limit_headers_missing 1", text, StringComparison.Ordinal);

        github.Unpark();
        github.Refused(GitHubRefusalReason.IssuesDisabled);
        text = await ScrapeAsync(metrics);
        Assert.Contains("ktizo_github_refusals_total{reason=\"issues_disabled\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("ktizo_github_parked 0", text, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(GatekeeperMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
