using Ktizo.Core.DeviceAuth;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Core.Tests.DeviceAuth;

/// <summary>The RFC 8628 state machine: every answer a token poll can get, and who gets a token in each mode.</summary>
public class DeviceFlowBookTests
{
    private static readonly MacAddress Mac = MacAddress.Parse("52:54:00:00:05:21");
    private static readonly MacAddress Other = MacAddress.Parse("52:54:00:00:05:22");
    private const string Uuid = "4c4c4544-0042-3910-8036-b4c04f4d4d31";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly DeviceFlowBook _book;

    public DeviceFlowBookTests() => _book = new DeviceFlowBook(DeviceFlowLimits.Default, _time);

    private (DeviceFlow Flow, string Code) Start(MacAddress? mac = null, string? uuid = Uuid)
    {
        var start = _book.Start(mac ?? Mac, uuid, "10.0.5.99", DeviceStanding.Approved);
        Assert.Null(start.Error);
        return (start.Flow!, start.DeviceCode!);
    }

    private PollResult Poll(string code, DeviceAuthMode mode, MacAddress? mac = null, string? uuid = Uuid, DeviceStanding standing = DeviceStanding.Approved)
    {
        var result = _book.Poll(code, mac ?? Mac, uuid, standing, mode);
        _time.Advance(TimeSpan.FromSeconds(5)); // a well-behaved client waits the interval
        return result;
    }

    [Fact]
    public void Start_GivesLongRandomDeviceCode_StoredOnlyAsItsHash_AndReadableUserCode()
    {
        var (flow, code) = Start();
        var (second, secondCode) = Start();

        Assert.Equal(43, code.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", code);
        Assert.NotEqual(code, secondCode);
        Assert.Equal(DeviceFlowSecrets.Hash(code), flow.CodeHash);
        Assert.DoesNotContain(code, flow.CodeHash, StringComparison.Ordinal);
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", flow.UserCode);
        Assert.NotEqual(flow.UserCode, second.UserCode);
        Assert.Equal(Mac, flow.Mac);
        Assert.Equal(Uuid, flow.Uuid);
        Assert.Equal(TimeSpan.FromMinutes(10), flow.ExpiresAt - flow.StartedAt);
    }

    [Fact]
    public void Confirm_WaitsForTheAdministrator_ThenIssuesOneTokenBoundToTheMac()
    {
        var (flow, code) = Start();
        Assert.Equal(OAuthErrors.AuthorizationPending, Poll(code, DeviceAuthMode.Confirm).Error);

        Assert.NotNull(_book.Confirm(flow.UserCode.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal)));
        var issued = Poll(code, DeviceAuthMode.Confirm);

        Assert.Null(issued.Error);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", issued.AccessToken!);
        Assert.Equal(DeviceFlowSecrets.Hash(issued.AccessToken!), issued.Token!.TokenHash);
        Assert.True(_book.Authorize(Mac, issued.AccessToken));
        Assert.False(_book.Authorize(Other, issued.AccessToken));
        Assert.False(_book.Authorize(Mac, code));
        Assert.False(_book.Authorize(Mac, "Bearer " + issued.AccessToken));
    }

    [Fact]
    public void Poll_AfterSuccess_IsInvalidGrant_AndNeverASecondToken()
    {
        var (flow, code) = Start();
        _book.Confirm(flow.UserCode);
        Assert.NotNull(Poll(code, DeviceAuthMode.Confirm).AccessToken);

        var replay = Poll(code, DeviceAuthMode.Confirm);

        Assert.Equal(OAuthErrors.InvalidGrant, replay.Error);
        Assert.Null(replay.AccessToken);
        Assert.Null(_book.Confirm(flow.UserCode)); // a spent flow cannot be confirmed again
    }

    [Fact]
    public void Poll_WithTheDeviceCodeOfAnotherMac_OrAnotherUuid_IsInvalidGrant()
    {
        var (flow, code) = Start();
        _book.Confirm(flow.UserCode);

        Assert.Equal(OAuthErrors.InvalidGrant, Poll(code, DeviceAuthMode.Confirm, mac: Other).Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll(code, DeviceAuthMode.Confirm, uuid: "00000000-0000-0000-0000-000000000000").Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll(code, DeviceAuthMode.Confirm, uuid: null).Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll("not-a-code", DeviceAuthMode.Confirm).Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll(new string('A', 43), DeviceAuthMode.Confirm).Error);
        Assert.NotNull(Poll(code, DeviceAuthMode.Confirm).AccessToken); // the real machine still gets it
    }

    [Fact]
    public void Poll_FasterThanTheInterval_IsSlowDown_AndTheIntervalGrowsByFiveSeconds()
    {
        var (_, code) = Start();
        Assert.Equal(OAuthErrors.AuthorizationPending, _book.Poll(code, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
        _time.Advance(TimeSpan.FromSeconds(2));

        var fast = _book.Poll(code, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm);
        Assert.Equal(OAuthErrors.SlowDown, fast.Error);
        Assert.Equal(TimeSpan.FromSeconds(10), fast.Flow!.Interval);

        _time.Advance(TimeSpan.FromSeconds(6)); // enough for the old interval, not the new one
        Assert.Equal(OAuthErrors.SlowDown, _book.Poll(code, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(OAuthErrors.AuthorizationPending, _book.Poll(code, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
    }

    [Fact]
    public void Poll_AfterTheDeviceCodeLifetime_IsExpiredToken_AndTheUserCodeCannotBeConfirmed()
    {
        var (flow, code) = Start();
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(_book.Confirm(flow.UserCode));
        Assert.Equal(OAuthErrors.ExpiredToken, Poll(code, DeviceAuthMode.Confirm).Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll(code, DeviceAuthMode.Confirm).Error); // forgotten after the first answer
        Assert.Empty(_book.LiveFlows());
    }

    [Fact]
    public void Token_ExpiresAfterItsLifetime()
    {
        var (flow, code) = Start();
        _book.Confirm(flow.UserCode);
        var token = Poll(code, DeviceAuthMode.Confirm).AccessToken!;

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(_book.Authorize(Mac, token));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(_book.Authorize(Mac, token));
    }

    [Fact]
    public void RejectedDevice_IsAccessDenied_OnStartAndOnPoll()
    {
        Assert.Equal(OAuthErrors.AccessDenied, _book.Start(Mac, Uuid, null, DeviceStanding.Rejected).Error);

        var (flow, code) = Start();
        _book.Confirm(flow.UserCode);
        Assert.Equal(OAuthErrors.AccessDenied, Poll(code, DeviceAuthMode.Confirm, standing: DeviceStanding.Rejected).Error);
        Assert.Equal(OAuthErrors.InvalidGrant, Poll(code, DeviceAuthMode.Confirm).Error);
    }

    [Fact]
    public void NotApprovedDevice_StaysPending_EvenWhenConfirmed()
    {
        var (flow, code) = Start();
        _book.Confirm(flow.UserCode);

        Assert.Equal(OAuthErrors.AuthorizationPending, Poll(code, DeviceAuthMode.First, standing: DeviceStanding.NotApproved).Error);
        Assert.NotNull(Poll(code, DeviceAuthMode.Confirm).AccessToken); // approved in the next commit
    }

    [Fact]
    public void First_GivesTheTokenToTheSingleClaimant_ThenLaterFlowsNeedConfirmation()
    {
        var (_, code) = Start();
        Assert.NotNull(Poll(code, DeviceAuthMode.First).AccessToken);
        Assert.True(_book.HasIssued(Mac));

        var (again, againCode) = Start(); // a reinstall, or someone else claiming the MAC
        Assert.Equal(OAuthErrors.AuthorizationPending, Poll(againCode, DeviceAuthMode.First).Error);

        _book.Confirm(again.UserCode);
        Assert.NotNull(Poll(againCode, DeviceAuthMode.First).AccessToken);
    }

    [Fact]
    public void First_AfterRearm_GivesTheNextSingleClaimantTheToken()
    {
        var (_, code) = Start();
        Assert.NotNull(Poll(code, DeviceAuthMode.First).AccessToken);

        Assert.True(_book.Rearm(Mac));
        var (_, againCode) = Start();
        Assert.NotNull(Poll(againCode, DeviceAuthMode.First).AccessToken);
    }

    [Fact]
    public void First_TwoLiveClaimants_BlockBoth_AlertOncePerFlow_UntilOneIsConfirmed()
    {
        var (_, code) = Start();
        var (impostor, impostorCode) = Start(uuid: null);

        var first = Poll(code, DeviceAuthMode.First);
        Assert.Equal(OAuthErrors.AuthorizationPending, first.Error);
        Assert.True(first.Contested);
        Assert.False(Poll(code, DeviceAuthMode.First).Contested);
        var other = Poll(impostorCode, DeviceAuthMode.First, uuid: null);
        Assert.Equal(OAuthErrors.AuthorizationPending, other.Error);
        Assert.True(other.Contested);

        _book.Confirm(impostor.UserCode); // the administrator picks the one whose console shows this code
        Assert.NotNull(Poll(impostorCode, DeviceAuthMode.First, uuid: null).AccessToken);
        Assert.Equal(OAuthErrors.AuthorizationPending, Poll(code, DeviceAuthMode.First).Error);
    }

    [Fact]
    public void Start_CountsTheOtherLiveFlowsOfTheMac_AndLiveFlowsOfListsThemOldestFirst()
    {
        var first = _book.Start(Mac, Uuid, "10.0.5.99", DeviceStanding.Approved);
        _time.Advance(TimeSpan.FromSeconds(1));
        var other = _book.Start(Other, null, null, DeviceStanding.Approved);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = _book.Start(Mac, "another-uuid", "10.0.5.66", DeviceStanding.Approved);

        Assert.Equal((0, 0, 1), (first.OtherLiveFlows, other.OtherLiveFlows, second.OtherLiveFlows));
        Assert.Equal(["10.0.5.99", "10.0.5.66"], _book.LiveFlowsOf(Mac).Select(f => f.Source));

        _time.Advance(DeviceFlowLimits.Default.DeviceCodeLifetime);
        Assert.Empty(_book.LiveFlowsOf(Mac));
        Assert.Equal(0, _book.Start(Mac, Uuid, null, DeviceStanding.Approved).OtherLiveFlows); // the old ones expired
    }

    [Fact]
    public void Off_IssuesAtOnce_ForAnApprovedDevice()
    {
        var (_, code) = Start();
        Assert.NotNull(Poll(code, DeviceAuthMode.Off).AccessToken);
    }

    [Fact]
    public void Start_IsBoundedPerMacAndInTotal()
    {
        var book = new DeviceFlowBook(DeviceFlowLimits.Default with { MaxFlows = 6, MaxFlowsPerMac = 2 }, _time);
        Assert.Null(book.Start(Mac, null, null, DeviceStanding.NotApproved).Error);
        Assert.Null(book.Start(Mac, null, null, DeviceStanding.NotApproved).Error);
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, book.Start(Mac, null, null, DeviceStanding.NotApproved).Error);

        for (var i = 0; i < 4; i++)
        {
            Assert.Null(book.Start(MacAddress.FromValue(0x525400001000UL + (ulong)i), null, null, DeviceStanding.NotApproved).Error);
        }

        Assert.Equal(OAuthErrors.TemporarilyUnavailable, book.Start(Other, null, null, DeviceStanding.NotApproved).Error);
        Assert.Equal(6, book.FlowCount);

        _time.Advance(TimeSpan.FromMinutes(10)); // expired flows make room again
        Assert.Null(book.Start(Other, null, null, DeviceStanding.NotApproved).Error);
        Assert.Equal(1, book.FlowCount);
    }

    [Fact]
    public void Restore_ContinuesAFlowAcrossARestart_AndNeverIssuesASpentOneAgain()
    {
        var (waiting, waitingCode) = Start();
        var (spent, spentCode) = Start(Other, uuid: null);
        _book.Confirm(spent.UserCode);
        var issued = Poll(spentCode, DeviceAuthMode.Confirm, mac: Other, uuid: null);
        var confirmedWaiting = _book.Confirm(waiting.UserCode)!;

        // What the store holds: flows without their last poll, tokens and MACs as hashes and values.
        var restarted = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
        restarted.Restore([confirmedWaiting, issued.Flow!], [issued.Token!], [Other]);

        Assert.NotNull(restarted.Poll(waitingCode, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm).AccessToken);
        Assert.Equal(OAuthErrors.InvalidGrant, restarted.Poll(spentCode, Other, null, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
        Assert.True(restarted.Authorize(Other, issued.AccessToken));
        Assert.True(restarted.HasIssued(Other));
    }

    [Fact]
    public void Restore_DropsWhatExpiredWhileDown()
    {
        var (flow, code) = Start();
        _time.Advance(TimeSpan.FromMinutes(11));

        var restarted = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
        restarted.Restore([flow], [], []);

        Assert.Empty(restarted.LiveFlows());
        Assert.Equal(OAuthErrors.InvalidGrant, restarted.Poll(code, Mac, Uuid, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
    }

    [Theory]
    [InlineData("bcdf-ghjk", "BCDF-GHJK")]
    [InlineData("BCDFGHJK", "BCDF-GHJK")]
    [InlineData(" BCDF GHJK ", "BCDF-GHJK")]
    [InlineData("BCDF-GHJA", null)] // a vowel is never in a code
    [InlineData("BCDF-GHJ", null)]
    [InlineData("BCDF-GHJKL", null)]
    [InlineData("", null)]
    public void NormalizeUserCode_AcceptsWhatAPersonTypes(string typed, string? expected) =>
        Assert.Equal(expected, DeviceFlowSecrets.NormalizeUserCode(typed));
}
