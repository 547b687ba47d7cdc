using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class PendingIssueTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunPass_FirstPassWithNothingPending_ChecksTheLabelsOnce_SoABadTokenShowsAtStart()
    {
        await using var h = await Harness.StartAsync(output);
        var service = h.Service(new InMemoryIssueOutbox());

        Assert.Equal(IssuePassResult.Idle, await service.RunPassAsync(CancellationToken.None));
        Assert.Equal(IssuePassResult.Idle, await service.RunPassAsync(CancellationToken.None));

        Assert.Equal(["ktizo/digest", "ktizo/pending"], h.StandIn.LabelNames.Order(StringComparer.Ordinal));
        Assert.Equal(2, h.StandIn.Requests.Count(r => r is { Method: "GET" } && r.Path.StartsWith("/repos/acme/cluster/labels/", StringComparison.Ordinal)));

        await Assert.ThrowsAnyAsync<Octokit.AuthorizationException>(() =>
            new GitHubPendingDeviceIssues(h.Repository(h.Options(), token: "ghp_wrong000000000000000000000000000000"), new InMemoryIssueOutbox(), h.Clock, NullLogger<GitHubPendingDeviceIssues>.Instance)
                .RunPassAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunPass_WhenOneMacIsPending_OpensOneLabelledIssueWithTheDeviceFileAndCommand()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sighting = new PendingSighting(MacAddress.Parse("52:54:00:12:34:56"), new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero), "10.0.5.23", "4c4c4544-0042", "Talos/v1.12.0");
        outbox.AddSighting(sighting);

        var result = await h.Service(outbox).RunPassAsync(CancellationToken.None);

        Assert.Equal(1, result.Created);
        var issue = Assert.Single(h.StandIn.Issues);
        Assert.Equal("Pending device 52:54:00:12:34:56", issue.Title);
        Assert.Equal(["ktizo/pending"], issue.Labels);
        Assert.Contains("2025-06-01 08:00:00 UTC", issue.Body);
        Assert.Contains("`10.0.5.23`", issue.Body);
        Assert.Contains("`4c4c4544-0042`", issue.Body);
        Assert.Contains("`Talos/v1.12.0`", issue.Body);
        Assert.Contains("`inventory/devices/node-123456.yaml`", issue.Body);
        Assert.Contains("mac: 52:54:00:12:34:56\nhostname: node-123456\nrole: worker\nip: 10.0.5.23/24\n", issue.Body);
        Assert.Contains("ktizo approve 52:54:00:12:34:56 --hostname node-123456 --ip 10.0.5.23/24 --role worker", issue.Body);
        Assert.Equal(issue.Number, outbox.IssueOf(sighting.Mac));
        Assert.Contains("ktizo/digest", h.StandIn.LabelNames);
    }
}
