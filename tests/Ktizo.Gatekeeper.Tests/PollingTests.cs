using System.Net;
using System.Net.Http.Headers;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests;

/// <summary>Polling on the gatekeeper's clock (a <see cref="FakeTimeProvider"/>), and the admin call's guard.</summary>
public sealed class PollingTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] Files =
        [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile("52:54:00:00:05:11", "cp-01", "10.0.5.11/24"))];

    [Fact]
    public async Task Poll_WhenTheIntervalPasses_PicksUpTheNewCommit_AndNotBefore()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, Files, ["--poll-interval", "30s"], services: s => s.AddSingleton<TimeProvider>(time));
        var fetches = gatekeeper.Source.Fetches;

        var next = gatekeeper.Commit([.. Files, ("inventory/devices/cp-02.yaml", MiniRenderer.DeviceFile("52:54:00:00:05:12", "cp-02", "10.0.5.12/24"))]);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(300);
        Assert.Equal(fetches, gatekeeper.Source.Fetches);
        Assert.NotEqual(next, (await gatekeeper.Host.ReadinessAsync()).GetProperty("commit").GetString());

        // The loop may still be arming its timer: nudge the clock until the poll fires.
        for (var i = 0; i < 100 && gatekeeper.Source.Fetches == fetches; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await gatekeeper.Host.WaitForCommitAsync(next);
        Assert.Equal(fetches + 1, gatekeeper.Source.Fetches);

        time.Advance(TimeSpan.FromSeconds(12));
        var metrics = await gatekeeper.Client.GetStringAsync("/metrics");
        Assert.Matches(@"ktizo_last_sync_age_seconds 1[2-9]", metrics);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-0123456789")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer ")]
    public async Task Sync_WithoutTheAdminToken_Returns401AndDoesNotFetch(string? authorization)
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files);
        var fetches = gatekeeper.Source.Fetches;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await gatekeeper.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Task.Delay(200);
        Assert.Equal(fetches, gatekeeper.Source.Fetches);
    }

    [Fact]
    public async Task Sync_WithTheAdminToken_FetchesAndAnswersWithTheNewState()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(output, Files);
        var next = gatekeeper.Commit(Files);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sync");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatekeeperHost.AdminToken);
        using var response = await gatekeeper.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"\"commit\":\"{next}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
