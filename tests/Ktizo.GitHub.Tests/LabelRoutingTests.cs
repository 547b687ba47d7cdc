using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// Issue 21: the default labels hold a '/' (<c>ktizo/pending</c>). GitHub splits a path at a raw '/', so
/// <c>/labels/ktizo/pending</c> is another route (404); <c>%2F</c> is decoded into the name; in a query
/// string (<c>?labels=ktizo/pending</c>) the '/' is just a character.
/// </summary>
public sealed class LabelRoutingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StandIn_RoutesALabelWithASlashAsGitHubDoes()
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.AddIssue("a pending machine", "body", "ktizo/pending");
        using var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);

        using var raw = await http.GetAsync("repos/acme/cluster/labels/ktizo/pending");
        using var encoded = await http.GetAsync("repos/acme/cluster/labels/ktizo%2Fpending");
        using var rawQuery = await http.GetAsync("repos/acme/cluster/issues?labels=ktizo/pending");
        using var encodedQuery = await http.GetAsync("repos/acme/cluster/issues?labels=ktizo%2Fpending");

        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        Assert.Equal(HttpStatusCode.OK, encoded.StatusCode);
        Assert.Contains("\"name\":\"ktizo/pending\"", await encoded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"number\":1", await rawQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"number\":1", await encodedQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPass_WithTheDefaultSlashedLabels_FindsThemByTheirEncodedNameAndCreatesNoneAgain()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        outbox.AddSighting(Harness.Sightings(1)[0]);
        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        // A second gatekeeper (or a restart): both labels exist, so it only reads them.
        var before = h.StandIn.Requests.Count;
        await h.Service(new InMemoryIssueOutbox()).RunPassAsync(CancellationToken.None);
        var second = h.StandIn.Requests.Skip(before).ToList();

        Assert.Contains("ktizo/pending", h.StandIn.LabelNames);
        Assert.Contains("ktizo/digest", h.StandIn.LabelNames);
        var reads = second.Where(r => r.Method == "GET" && r.Path.StartsWith("/repos/acme/cluster/labels/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/repos/acme/cluster/labels/ktizo%2Fpending", "/repos/acme/cluster/labels/ktizo%2Fdigest"], reads.Select(r => r.Path));
        Assert.All(reads, r => Assert.Equal(200, r.Status));
        Assert.DoesNotContain(second, r => r.Method == "POST");
    }
}
