using Ktizo.Core;
using Ktizo.Core.Registry;

namespace Ktizo.GitHub.Tests;

public sealed class PendingIssueTextTests
{
    private static readonly MacAddress Mac = MacAddress.Parse("52:54:00:12:34:56");

    [Fact]
    public void Parse_WhenGivenASingleIssueBody_FindsItsMacByMarkerEvenIfTheTitleWasEdited()
    {
        var body = PendingIssueText.Body(new PendingSighting(Mac, DateTimeOffset.UnixEpoch, null, null, null));
        Assert.Equal(Mac, PendingIssueText.Parse("rack 3, left", body).Mac);
    }

    [Fact]
    public void Parse_WhenOnlyTheTitleNamesTheMac_FindsItByTitle() =>
        Assert.Equal(Mac, PendingIssueText.Parse("Pending device 52:54:00:12:34:56", "written by hand").Mac);

    [Fact]
    public void Parse_WhenTheIssueIsNotOurs_FindsNothing()
    {
        var parsed = PendingIssueText.Parse("Pending device list is long", "no marker");
        Assert.Null(parsed.Mac);
        Assert.Null(parsed.DigestEntries);
    }

    [Fact]
    public void DigestBody_WhenParsedBack_KeepsEveryEntryAndItsTick()
    {
        var entries = new[]
        {
            new DigestEntry(Mac, false, "first seen 2025-06-01 08:00:00 UTC from 10.0.5.23"),
            new DigestEntry(MacAddress.Parse("52:54:00:12:34:57"), true, "approved by abc (#4)"),
        };

        var parsed = PendingIssueText.Parse(PendingIssueText.DigestTitle, PendingIssueText.DigestBody(entries));

        Assert.Equal(entries, parsed.DigestEntries);
    }

    [Fact]
    public void Body_WhenValuesContainMarkdown_CannotBreakTheTable()
    {
        var body = PendingIssueText.Body(new PendingSighting(Mac, DateTimeOffset.UnixEpoch, "10.0.5.23", "a|b", "curl`x\n| MAC | evil |"));
        Assert.Contains("| UUID | `a/b` |", body);
        Assert.Contains("| User agent | `curl'x / MAC / evil /` |", body);
    }

    [Fact]
    public void Body_WhenTheSourceIsNotIPv4_SuggestsADocumentationAddress()
    {
        var body = PendingIssueText.Body(new PendingSighting(Mac, DateTimeOffset.UnixEpoch, "fd00::5", null, null));
        Assert.Contains("--ip 192.0.2.10/24", body);
        Assert.Contains("| UUID | unknown |", body);
    }
}
