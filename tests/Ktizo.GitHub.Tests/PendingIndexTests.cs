using Ktizo.Core;

namespace Ktizo.GitHub.Tests;

public sealed class PendingIndexTests
{
    private static readonly MacAddress A = MacAddress.Parse("52:54:00:00:00:0a");
    private static readonly MacAddress B = MacAddress.Parse("52:54:00:00:00:0b");

    [Fact]
    public void Replace_WhenADigestNoLongerListsAMac_LocatesItInItsSingleIssue()
    {
        var index = new PendingIndex();
        index.SetDigest(5, [new DigestEntry(A, false, "first"), new DigestEntry(B, true, "approved")]);
        index.AddSingle(A, 7, "body");
        Assert.Equal(5, index.Locate(A));
        Assert.Null(index.Locate(B));

        index.Replace(5, new ParsedIssue(null, [new DigestEntry(B, false, "again")]), "digest body");

        Assert.Equal(7, index.Locate(A));
        Assert.Equal([5], index.DigestsListing(B));
        Assert.Empty(index.DigestsListing(A));
        Assert.Equal([A, B], index.AllMacs().Order());
    }

    [Fact]
    public void Remove_TakesSinglesAndDigestsOutByNumber()
    {
        var index = new PendingIndex();
        index.AddSingle(A, 3, "a");
        index.SetDigest(4, [new DigestEntry(B, false, "b")]);

        Assert.True(index.Remove(3));
        Assert.True(index.Remove(4));
        Assert.False(index.Remove(4));

        Assert.Null(index.Locate(A));
        Assert.Null(index.Locate(B));
        Assert.Empty(index.AllMacs());
        Assert.Equal((0, 0), (index.OpenSingles, index.Digests.Count));
    }

    [Fact]
    public void Replace_WhenAnIssueChangesKind_KeepsOnlyTheNewOne()
    {
        var index = new PendingIndex();
        index.SetDigest(9, [new DigestEntry(A, false, "a")]);

        index.Replace(9, new ParsedIssue(B, null), "single now");

        Assert.Equal((1, 0), (index.OpenSingles, index.Digests.Count));
        Assert.Null(index.Locate(A));
        Assert.Equal(9, index.Locate(B));
        Assert.Equal("single now", index.SingleBody(9));

        index.Replace(9, new ParsedIssue(null, null), "not ours any more");
        Assert.Empty(index.AllMacs());
    }
}
