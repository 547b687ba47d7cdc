using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ktizo.Core;
using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>GitHub refuses an issue or comment body over 65,536 characters (issue 21).</summary>
public sealed class BodyLimitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("POST", "issues", "Issue")]
    [InlineData("PATCH", "issues/1", "Issue")]
    [InlineData("POST", "issues/1/comments", "IssueComment")]
    public async Task StandIn_WhenABodyIsOverTheLimit_AnswersGitHubsValidationError(string method, string path, string resource)
    {
        await using var h = await Harness.StartAsync(output);
        h.StandIn.AddIssue("an issue", "short");
        using var http = new HttpClient { BaseAddress = h.StandIn.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", h.StandIn.Token);

        async Task<HttpResponseMessage> SendAsync(int length) =>
            await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"repos/acme/cluster/{path}")
            {
                Content = new StringContent(new JsonObject { ["title"] = "t", ["body"] = new string('a', length - 1) + "é" }.ToJsonString(), Encoding.UTF8, "application/json"),
            });

        using var fits = await SendAsync(65536);
        Assert.True(fits.IsSuccessStatusCode, $"{fits.StatusCode}: {await fits.Content.ReadAsStringAsync()}");
        using var over = await SendAsync(65537);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, over.StatusCode);
        var error = JsonNode.Parse(await over.Content.ReadAsStringAsync())!;
        Assert.Equal("Validation Failed", error["message"]!.GetValue<string>());
        Assert.Equal(resource, error["errors"]![0]!["resource"]!.GetValue<string>());
        Assert.Equal("body is too long (maximum is 65536 characters)", error["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunPass_When1000IPv6MachinesGoToTheDigest_SplitsItUnderTheBodyLimitAndTicksEveryLine()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(1000)
            .Select((s, i) => s with { SourceAddress = $"2001:0db8:85a3:1234:5678:8a2e:{i / 0x10000:x4}:{i % 0x10000:x4}" })
            .ToList();
        foreach (var s in sightings)
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => (o.MaxOpenPendingIssues, o.MaxDigestEntries, o.BatchSize) = (0, 1000, 1000));
        var service = h.Service(outbox, options);
        await service.RunPassAsync(CancellationToken.None);

        Assert.Equal(0, outbox.UnfiledCount);
        var places = h.OpenPlaces();
        Assert.Equal(1000, places.Count);
        Assert.All(places, p => Assert.Single(p.Value));
        Assert.True(h.StandIn.Issues.Count > 1, "1,000 IPv6 lines do not fit one body");
        Assert.All(h.StandIn.Issues, i => Assert.InRange(i.Body!.Length, 0, PendingIssueText.MaxBodyLength));
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Status == 422);

        // Ticking writes longer notes than "first seen …": room for them was kept.
        var commit = new string('f', 64);
        var result = await service.ApplyDecisionsAsync(new CommitDecisions(commit, 123456, [.. sightings.Select(s => s.Mac)], []), CancellationToken.None);

        Assert.Equal(1000, result.DigestLinesTicked);
        Assert.All(h.StandIn.Issues, i => Assert.Equal("closed", i.State));
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Status == 422);
    }

    [Fact]
    public void DigestEntry_WithANoteOverTheLongestDecisionNote_CutsItToOneLine()
    {
        var entry = new DigestEntry(MacAddress.Parse("52:54:00:12:34:56"), false, "from\n" + new string('x', 200));

        Assert.Equal(PendingIssueText.MaxDigestNoteLength, entry.Note.Length);
        Assert.DoesNotContain('\n', entry.ToLine());
        Assert.Equal(PendingIssueText.MaxDigestNoteLength, (entry with { Note = new string('y', 300) }).Note.Length);
    }

    [Fact]
    public void FitBody_WhenADiffCommentIsTooLong_CutsTheTextAndKeepsTheMarker()
    {
        var text = GitHubApprovalPullRequests.FitBody(new string('d', 100_000), "\n\n<!-- ktizo:diff -->\n");

        Assert.Equal(PendingIssueText.MaxBodyLength, text.Length);
        Assert.EndsWith("<!-- ktizo:diff -->\n", text, StringComparison.Ordinal);
        Assert.Contains("cut here", text, StringComparison.Ordinal);
    }
}
