using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>The stand-in lists issues by <c>since</c> and <c>state</c> as GitHub does, over plain HTTP.</summary>
public sealed class StandInListingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ListIssues_WithSince_ReturnsIssuesUpdatedAtOrAfterItAndEveryChangeBumpsUpdatedAt()
    {
        await using var h = await Harness.StartAsync(output);
        using var http = Client(h);
        var edited = h.StandIn.AddIssue("edited", "a", "ktizo/pending");
        var closed = h.StandIn.AddIssue("closed", "b", "ktizo/pending");
        var relabelled = h.StandIn.AddIssue("relabelled", "c", "ktizo/pending");
        var untouched = h.StandIn.AddIssue("untouched", "d", "ktizo/pending");
        h.StandIn.AddIssue("other label", "e", "bug");
        h.Clock.Jump(TimeSpan.FromMinutes(1));
        var since = Whole(h.Clock.GetUtcNow());
        h.Clock.Jump(TimeSpan.FromMinutes(1));

        await PatchAsync(http, edited, """{"body":"a, edited"}""");
        await PatchAsync(http, closed, """{"state":"closed","state_reason":"not_planned"}""");
        await PatchAsync(http, relabelled, """{"labels":["ktizo/pending","ktizo/digest"]}""");

        var all = await ListAsync(http, $"labels=ktizo/pending&state=all&since={Iso(since)}");
        Assert.Equal([relabelled, closed, edited], all.Select(i => (int)i["number"]!));
        Assert.All(all, i => Assert.True(DateTimeOffset.Parse((string)i["updated_at"]!, CultureInfo.InvariantCulture) >= since));
        Assert.Equal([relabelled, edited], (await ListAsync(http, $"labels=ktizo/pending&since={Iso(since)}")).Select(i => (int)i["number"]!));
        Assert.Contains(untouched, (await ListAsync(http, "labels=ktizo/pending&state=all")).Select(i => (int)i["number"]!));

        // Inclusive: an issue updated in the very second named is listed.
        var updatedAt = DateTimeOffset.Parse((string)all[0]["updated_at"]!, CultureInfo.InvariantCulture);
        Assert.Contains(relabelled, (await ListAsync(http, $"state=all&since={Iso(updatedAt)}")).Select(i => (int)i["number"]!));
        Assert.DoesNotContain(relabelled, (await ListAsync(http, $"state=all&since={Iso(updatedAt.AddSeconds(1))}")).Select(i => (int)i["number"]!));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2025-13-01T00:00:00Z")]
    public async Task ListIssues_WithMalformedSince_AnswersGitHubsValidationError(string since)
    {
        await using var h = await Harness.StartAsync(output);
        using var http = Client(h);

        using var response = await http.GetAsync($"repos/acme/cluster/issues?state=all&since={Uri.EscapeDataString(since)}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Validation Failed", (string)body["message"]!);
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal(("Issue", "since", "invalid"), ((string)error["resource"]!, (string)error["field"]!, (string)error["code"]!));
        Assert.NotNull(body["documentation_url"]);
    }

    [Fact]
    public async Task Replies_CarryTheStandInClockInTheDateHeader()
    {
        await using var h = await Harness.StartAsync(output);
        using var http = Client(h);
        h.Clock.Jump(TimeSpan.FromDays(3));

        using var response = await http.GetAsync("repos/acme/cluster/issues");

        var date = Assert.NotNull(response.Headers.Date);
        Assert.InRange(date, h.Clock.GetUtcNow() - TimeSpan.FromHours(1), h.Clock.GetUtcNow());
    }

    private static HttpClient Client(Harness h)
    {
        var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);
        http.DefaultRequestHeaders.UserAgent.ParseAdd("ktizo-tests");
        return http;
    }

    private static async Task PatchAsync(HttpClient http, int number, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PatchAsync($"repos/acme/cluster/issues/{number}", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<List<JsonNode>> ListAsync(HttpClient http, string query)
    {
        using var response = await http.GetAsync($"repos/acme/cluster/issues?per_page=100&{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(i => i!)];
    }

    private static DateTimeOffset Whole(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
