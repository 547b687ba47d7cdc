using System.Text;
using System.Text.Json;
using Ktizo.Core.Notifications;

namespace Ktizo.Core.Tests.Notifications;

public sealed class NotificationPayloadTests
{
    private static readonly MacAddress Mac = MacAddress.Parse("52-54-00-12-34-56");
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2));
    private const string Commit = "9fceb02d0ae598e95dc970b74767f19372d61af8";

    [Fact]
    public void Json_OfAnApproval_HasEveryFieldInUtc()
    {
        var e = NotificationEvents.Approved(Mac, "node-01", Commit, Time);

        var json = JsonDocument.Parse(NotificationPayload.Build(e, "json")).RootElement;

        Assert.Equal(e.Id, json.GetProperty("id").GetString());
        Assert.Equal("device.approved", json.GetProperty("type").GetString());
        Assert.Equal("2026-01-02T01:04:05.678Z", json.GetProperty("time").GetString());
        Assert.Equal("52:54:00:12:34:56", json.GetProperty("mac").GetString());
        Assert.Equal("node-01", json.GetProperty("hostname").GetString());
        Assert.Equal(Commit, json.GetProperty("commit").GetString());
        Assert.Equal("Machine node-01 (52:54:00:12:34:56) was approved by commit 9fceb02d0ae5.", json.GetProperty("text").GetString());
        Assert.False(json.TryGetProperty("count", out _));
    }

    [Fact]
    public void Ids_OfCommitEvents_FollowFromWhatTheySay_OthersAreFresh()
    {
        Assert.Equal(NotificationEvents.Approved(Mac, "a", Commit, Time).Id, NotificationEvents.Approved(Mac, "b", Commit, Time.AddHours(1)).Id);
        Assert.NotEqual(NotificationEvents.Approved(Mac, "a", Commit, Time).Id, NotificationEvents.Rejected(Mac, "a", Commit, Time).Id);
        Assert.NotEqual(NotificationEvents.Approved(Mac, "a", Commit, Time).Id, NotificationEvents.Approved(Mac, "a", "other", Time).Id);
        Assert.NotEqual(NotificationEvents.NewId(), NotificationEvents.NewId());
        Assert.Matches("^[0-9a-f]{32}$", NotificationEvents.NewId());
    }

    [Fact]
    public void CommitFailed_NamesTheCodesOnly_NotTheMessages()
    {
        var e = NotificationEvents.CommitFailed(Commit, 3, ["KTZ101", "KTZ101", "template-timeout"], null, Time);

        Assert.Equal("Commit 9fceb02d0ae5 failed validation with 3 errors (KTZ101, template-timeout); nothing is served yet.", e.Text);
        Assert.Null(e.Mac);
    }

    [Fact]
    public void Slack_IsOnlyText()
    {
        var e = NotificationEvents.Pending("00112233445566778899aabbccddeeff", Mac, Time, null);

        Assert.Equal(
            "{\"text\":\"Ktizo: New machine 52:54:00:12:34:56 asked for a config; it is pending until a device file for it is merged.\"}",
            Encoding.UTF8.GetString(NotificationPayload.Build(e, "slack")));
    }

    [Fact]
    public void Summary_ListsAtMostTwentyMacs_AndTheCount()
    {
        var macs = Enumerable.Range(0, 30).Select(i => MacAddress.FromValue((ulong)i)).ToList();

        var json = JsonDocument.Parse(NotificationPayload.ToJson(NotificationEvents.PendingSummary("id", Time, 30, macs))).RootElement;

        Assert.Equal(30, json.GetProperty("count").GetInt32());
        Assert.Equal(20, json.GetProperty("macs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("mac").ValueKind);
    }

    [Fact]
    public void Signature_IsGitHubsScheme_AndVerifiesOnlyTheSameBodyAndSecret()
    {
        var secret = "It's a Secret to Everybody"u8.ToArray();
        var body = "Hello, World!"u8.ToArray();

        // GitHub's documented example for X-Hub-Signature-256.
        var header = NotificationSignature.Sign(secret, body);
        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", header);
        Assert.True(NotificationSignature.Verify(secret, body, header));
        Assert.False(NotificationSignature.Verify(secret, "Hello, World?"u8, header));
        Assert.False(NotificationSignature.Verify("another secret"u8, body, header));
        Assert.False(NotificationSignature.Verify(secret, body, null));
    }
}
