using Ktizo.Core;
using Ktizo.Core.DeviceAuth;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Store.Tests;

/// <summary>Device flows survive a restart of the store: a flow continues, a spent code stays spent, nothing secret is on disk.</summary>
public sealed class DeviceFlowStoreTests : IDisposable
{
    private static readonly MacAddress Mac = MacAddress.Parse("52:54:00:00:05:21");
    private static readonly MacAddress Other = MacAddress.Parse("52:54:00:00:05:22");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Restart_MidFlow_ContinuesTheConfirmedFlow_AndNeverIssuesTheSpentOneAgain()
    {
        var path = _folder.File("ktizo.db");
        var book = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
        string waitingCode, spentCode, token;
        using (var store = DeviceStore.Open(path, _time))
        {
            var flows = DeviceFlowStore.Open(store);
            var waiting = book.Start(Mac, "uuid-1", "10.0.5.99", DeviceStanding.Approved);
            var spent = book.Start(Other, null, null, DeviceStanding.Approved);
            await flows.AddFlowAsync(waiting.Flow!, default);
            await flows.AddFlowAsync(spent.Flow!, default);
            await flows.ConfirmAsync(book.Confirm(waiting.Flow!.UserCode)!.CodeHash, default);
            book.Confirm(spent.Flow!.UserCode);
            var issued = book.Poll(spent.DeviceCode!, Other, null, DeviceStanding.Approved, DeviceAuthMode.Confirm);
            await flows.IssueAsync(issued.Flow!, issued.Token!, _time.GetUtcNow(), default);
            (waitingCode, spentCode, token) = (waiting.DeviceCode!, spent.DeviceCode!, issued.AccessToken!);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        using (var store = DeviceStore.Open(path, _time))
        {
            var saved = await DeviceFlowStore.Open(store).LoadAsync(_time.GetUtcNow(), default);
            var restarted = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
            restarted.Restore(saved.Flows, saved.Tokens, saved.IssuedMacs);

            Assert.Equal("10.0.5.99", saved.Flows.Single(f => f.Mac == Mac).Source);
            Assert.NotNull(restarted.Poll(waitingCode, Mac, "uuid-1", DeviceStanding.Approved, DeviceAuthMode.Confirm).AccessToken);
            Assert.Equal(OAuthErrors.InvalidGrant, restarted.Poll(spentCode, Other, null, DeviceStanding.Approved, DeviceAuthMode.Confirm).Error);
            Assert.True(restarted.Authorize(Other, token));
            Assert.Equal([Other], saved.IssuedMacs);
        }

        var bytes = await File.ReadAllTextAsync(path + "-wal").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : string.Empty)
            + await File.ReadAllTextAsync(path);
        Assert.DoesNotContain(waitingCode, bytes, StringComparison.Ordinal);
        Assert.DoesNotContain(token, bytes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_DropsWhatExpired_AndRearmForgetsTheIssuedMac()
    {
        var path = _folder.File("ktizo.db");
        var book = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
        using var store = DeviceStore.Open(path, _time);
        var flows = DeviceFlowStore.Open(store);
        var start = book.Start(Mac, null, null, DeviceStanding.Approved);
        await flows.AddFlowAsync(start.Flow!, default);
        var issued = book.Poll(start.DeviceCode!, Mac, null, DeviceStanding.Approved, DeviceAuthMode.First);
        await flows.IssueAsync(issued.Flow!, issued.Token!, _time.GetUtcNow(), default);

        _time.Advance(TimeSpan.FromHours(2));
        var saved = await flows.LoadAsync(_time.GetUtcNow(), default);
        Assert.Empty(saved.Flows);
        Assert.Empty(saved.Tokens);
        Assert.Equal([Mac], saved.IssuedMacs); // outlives its token: the next flow needs a confirmation

        await flows.RearmAsync(Mac, default);
        Assert.Empty((await flows.LoadAsync(_time.GetUtcNow(), default)).IssuedMacs);
    }

    [Fact]
    public async Task ApplyRearms_ForgetsTheIssuedMac_AndTheAppliedValueOutlivesARestart()
    {
        var path = _folder.File("ktizo.db");
        using (var store = DeviceStore.Open(path, _time))
        {
            var flows = DeviceFlowStore.Open(store);
            var book = new DeviceFlowBook(DeviceFlowLimits.Default, _time);
            var start = book.Start(Mac, null, null, DeviceStanding.Approved);
            await flows.AddFlowAsync(start.Flow!, default);
            var issued = book.Poll(start.DeviceCode!, Mac, null, DeviceStanding.Approved, DeviceAuthMode.First);
            await flows.IssueAsync(issued.Flow!, issued.Token!, _time.GetUtcNow(), default);

            await flows.ApplyRearmsAsync([new GitRearm(Mac, "2026-12-01 disk swap")], "abc123", _time.GetUtcNow(), default);
        }

        using (var store = DeviceStore.Open(path, _time))
        {
            var saved = await DeviceFlowStore.Open(store).LoadAsync(_time.GetUtcNow(), default);
            Assert.Empty(saved.IssuedMacs);
            Assert.Equal("2026-12-01 disk swap", saved.AppliedRearms[Mac]);
            Assert.False(saved.AppliedRearms.ContainsKey(Other));
        }
    }

    [Fact]
    public async Task ContestedFlow_IsDueOncePerEpisode_WithTheMacsIssue_AndANewEpisodeAfterAQuietLifetime()
    {
        using var store = DeviceStore.Open(_folder.File("ktizo.db"), _time);
        var flows = DeviceFlowStore.Open(store);
        var contests = SqliteContestOutbox.Open(store);
        using var outbox = SqliteIssueOutbox.Open(store);
        await store.RecordAsync(Mac, ObservationKind.Request, System.Net.IPAddress.Loopback, null, null);
        await outbox.ClassifyAsync(_ => Ktizo.Core.Inventory.DeviceStatus.Pending, default);
        var book = new DeviceFlowBook(DeviceFlowLimits.Default, _time);

        await flows.AddFlowAsync(book.Start(Mac, "uuid-a", "10.0.5.1", DeviceStanding.NotApproved).Flow!, contested: false, default);
        Assert.Empty(await contests.ListDueAsync(10, default));

        _time.Advance(TimeSpan.FromSeconds(30));
        var episode = _time.GetUtcNow();
        await flows.AddFlowAsync(book.Start(Mac, "uuid-b", "10.0.5.2", DeviceStanding.NotApproved).Flow!, contested: true, default);
        var due = Assert.Single(await contests.ListDueAsync(10, default));
        Assert.Equal((Mac, episode, (int?)null, true), (due.Mac, due.Since, due.IssueNumber, due.AwaitingIssue));

        await outbox.RecordIssueAsync(Mac, 7, default);
        due = Assert.Single(await contests.ListDueAsync(10, default));
        Assert.Equal((7, false), (due.IssueNumber, due.AwaitingIssue));
        await contests.MarkReportedAsync(Mac, due.Since, default);
        Assert.Empty(await contests.ListDueAsync(10, default));

        _time.Advance(TimeSpan.FromMinutes(5)); // a third claimant in the same episode: nothing new to report
        await flows.AddFlowAsync(book.Start(Mac, "uuid-c", "10.0.5.3", DeviceStanding.NotApproved).Flow!, contested: true, default);
        Assert.Empty(await contests.ListDueAsync(10, default));

        _time.Advance(DeviceFlowLimits.Default.DeviceCodeLifetime + TimeSpan.FromSeconds(1));
        var later = _time.GetUtcNow();
        await flows.AddFlowAsync(book.Start(Mac, "uuid-d", "10.0.5.4", DeviceStanding.NotApproved).Flow!, contested: true, default);
        due = Assert.Single(await contests.ListDueAsync(10, default));
        Assert.Equal((later, 7), (due.Since, due.IssueNumber));

        await contests.MarkReportedAsync(Mac, episode, default); // the old episode's mark does not cover the new one
        Assert.Single(await contests.ListDueAsync(10, default));
    }
}
