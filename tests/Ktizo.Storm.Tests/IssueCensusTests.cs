using Ktizo.Core;
using Ktizo.GitHub;
using Ktizo.Storm;
using Ktizo.Testing.GitHub;

namespace Ktizo.Storm.Tests;

public sealed class IssueCensusTests
{
    private static MacAddress Mac(string text) => MacAddress.TryParse(text, out var mac) ? mac : throw new ArgumentException(text);

    private static void AddSingle(GitHubStandIn standIn, MacAddress mac) =>
        standIn.AddIssue(PendingIssueText.Title(mac), $"pending\n\n{PendingIssueText.Marker(mac)}\n", "ktizo/pending");

    private static void AddDigest(GitHubStandIn standIn, params DigestEntry[] entries) =>
        standIn.AddIssue(PendingIssueText.DigestTitle, PendingIssueText.DigestBody(entries), "ktizo/pending", "ktizo/digest");

    [Fact]
    public async Task Take_WhenEveryMacHasOneOpenPlace_CountsEachOnceAndNoDuplicate()
    {
        await using var standIn = await GitHubStandIn.StartAsync(TimeProvider.System);
        AddSingle(standIn, Mac("02:5b:00:00:00:01"));
        AddSingle(standIn, Mac("02:5b:00:00:00:02"));
        AddDigest(standIn,
            new DigestEntry(Mac("02:5b:00:00:00:03"), false, "first seen now"),
            new DigestEntry(Mac("02:5b:00:00:00:04"), false, "first seen now"),
            new DigestEntry(Mac("02:5b:00:00:00:05"), true, "approved"));

        var census = IssueCensus.Take(standIn);

        Assert.Equal(3, census.Issues);
        Assert.Equal(2, census.SingleIssues);
        Assert.Equal(1, census.DigestIssues);
        Assert.Equal(2, census.DigestLines); // the ticked line is decided, no longer pending
        Assert.Equal(4, census.Represented);
        Assert.Equal(0, census.Duplicates);
    }

    [Fact]
    public async Task Take_WhenAMacHasItsOwnIssueAndADigestLine_CountsOneDuplicate()
    {
        await using var standIn = await GitHubStandIn.StartAsync(TimeProvider.System);
        var twice = Mac("02:5b:00:00:00:07");
        AddSingle(standIn, twice);
        AddSingle(standIn, Mac("02:5b:00:00:00:08"));
        AddDigest(standIn, new DigestEntry(twice, false, "first seen now"));

        var census = IssueCensus.Take(standIn);

        Assert.Equal(2, census.Represented);
        Assert.Equal(1, census.Duplicates);
    }

    [Fact]
    public async Task Take_WhenTwoIssuesNameOneMac_CountsOneDuplicate()
    {
        await using var standIn = await GitHubStandIn.StartAsync(TimeProvider.System);
        AddSingle(standIn, Mac("02:5b:00:00:00:09"));
        AddSingle(standIn, Mac("02:5b:00:00:00:09"));

        var census = IssueCensus.Take(standIn);

        Assert.Equal(2, census.Issues);
        Assert.Equal(1, census.Represented);
        Assert.Equal(1, census.Duplicates);
    }

    [Fact]
    public void Mac_ForEveryIndexOfAStormAndEveryRun_IsAValidDistinctMac()
    {
        var macs = Enumerable.Range(0, 70_000).Select(i => StormClient.Mac(1, i))
            .Concat(Enumerable.Range(0, 10).Select(i => StormClient.Mac(2, i)))
            .ToList();

        Assert.All(macs, m => Assert.True(MacAddress.TryParse(m, out _), m));
        Assert.Equal(macs.Count, macs.Distinct().Count());
    }
}
