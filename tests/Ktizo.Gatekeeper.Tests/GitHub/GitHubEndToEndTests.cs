using System.Net;
using System.Net.Http.Json;
using Ktizo.Core;
using Ktizo.Gatekeeper.GitHub;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.GitHub;
using Ktizo.Store;
using Ktizo.Testing.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.GitHub;

/// <summary>
/// Issue 4 end to end: the whole gatekeeper on a real Kestrel (GatekeeperApp), the example inventory in a
/// real temporary git remote, a real SQLite store, and the GitHub stand-in. Gatekeeper and stand-in share an
/// accelerated clock (100×: GitHub's one second between mutations is 10 ms), so each test takes seconds.
/// </summary>
public sealed class GitHubEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Mac = "52:54:00:aa:bb:cc";
    private const string Query = "mac=52-54-00-AA-BB-CC&uuid=4c4c4544-0042-4d10-8051-b4c04f563532";
    private const string Title = "Pending device " + Mac;
    private const string Device = "mac: 52:54:00:aa:bb:cc\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\n";

    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-gh-data");
    private readonly TempFolder _secrets = new("ktizo-gh-secrets");
    private readonly AcceleratedTimeProvider _clock = new(100);
    private GitHubStandIn _gitHub = null!;

    public async Task InitializeAsync()
    {
        _gitHub = await GitHubStandIn.StartAsync(_clock);
        await File.WriteAllTextAsync(_secrets.Sub("token"), _gitHub.Token + "\n");
    }

    public async Task DisposeAsync()
    {
        await _gitHub.DisposeAsync();
        _remote.Dispose();
        _data.Dispose();
        _secrets.Dispose();
    }

    [Fact]
    public async Task UnknownMac_GetsExactlyOneLabelledIssue_AcrossRepeatsAndARestart()
    {
        var example = _remote.PushExample();
        await using (var host = await StartAsync())
        {
            await host.WaitForCommitAsync(example);

            for (var i = 0; i < 5; i++)
            {
                using var response = await host.GetConfigAsync(Query);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }

            var issue = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Title == Title), "the pending issue");
            Assert.Equal("open", issue.State);
            Assert.Contains("ktizo/pending", issue.Labels);
            Assert.Contains("4c4c4544-0042-4d10-8051-b4c04f563532", issue.Body);
            Assert.Contains("ktizo approve " + Mac, issue.Body);
            await WorkerPassesAsync(host, 3);
            Assert.Equal(issue.Number, await RecordedIssueAsync(host));
        }

        // Restart on the same data folder: the store remembers the issue, GitHub is not asked to create again.
        await using (var host = await StartAsync())
        {
            await host.WaitForCommitAsync(example);
            using (var response = await host.GetConfigAsync(Query))
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }

            await WorkerPassesAsync(host, 3);
        }

        Assert.Single(_gitHub.Issues, i => i.Title == Title);
        Assert.Single(_gitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith("/issues", StringComparison.Ordinal));
        // Known devices of the example inventory asked nothing of GitHub.
        Assert.DoesNotContain(_gitHub.Issues, i => i.Title.Contains("52:54:00:00:05:11", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_OfANewMac_WakesTheWorker_SoTheIssueIsFiledLongBeforeThePollInterval()
    {
        var example = _remote.PushExample();
        // Real time and a 10-minute poll: after its first pass the worker sleeps for 10 minutes unless a sighting wakes it.
        await using var host = await StartAsync(clock: TimeProvider.System, gitHubPollInterval: "10m");
        await host.WaitForCommitAsync(example);
        var worker = host.App.Services.GetServices<IHostedService>().OfType<PendingIssueWorker>().Single();
        await WaitForAsync(() => worker.Passes >= 1 ? (object)true : null, "the worker's first pass");
        Assert.DoesNotContain(_gitHub.Issues, i => i.Title == Title);

        using (var response = await host.Client.PostAsJsonAsync("/api/v1/devices/register", new { mac_address = "52-54-00-AA-BB-CC", uuid = "4c4c4544-0042-4d10-8051-b4c04f563532" }))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var issue = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Title == Title), "the pending issue of the registered MAC", TimeSpan.FromSeconds(20));
        Assert.Equal("open", issue.State);
        Assert.Contains("4c4c4544-0042-4d10-8051-b4c04f563532", issue.Body);
    }

    [Fact]
    public async Task MergedDeviceFile_ServesTheConfig_AndClosesTheIssueNamingCommitAndPullRequest()
    {
        var example = _remote.PushExample();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(example);
        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var issue = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Title == Title), "the pending issue");

        var approval = _remote.Push("Approve worker-09 (#12)", ("inventory/devices/worker-09.yaml", Device));
        await host.SyncAsync();

        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("worker-09", await response.Content.ReadAsStringAsync());
        }

        var closed = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Number == issue.Number && i.State == "closed"), "the issue closed");
        Assert.Equal("completed", closed.StateReason);
        var comment = Assert.Single(closed.Comments);
        Assert.Contains(approval, comment);
        Assert.Contains("#12", comment);
        // The store learns of the close right after GitHub did it.
        var outbox = host.Get<SqliteIssueOutbox>();
        await WaitForAsync(() => outbox.ListOpenIssuesAsync(default).GetAwaiter().GetResult().Count == 0 ? (object)true : null, "the store to mark the issue closed");

        // Further syncs and passes neither comment again nor reopen.
        await host.SyncAsync();
        await WorkerPassesAsync(host, 2);
        Assert.Single(_gitHub.Issues.Single(i => i.Number == issue.Number).Comments);
        Assert.Single(_gitHub.Issues, i => i.Title == Title);
    }

    [Fact]
    public async Task RejectingCommit_ClosesTheIssueAsNotPlanned()
    {
        var example = _remote.PushExample();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(example);
        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var issue = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Title == Title), "the pending issue");

        var rejection = _remote.Push(
            "Reject the laptop",
            ("inventory/devices/rejected-52-54-00-aa-bb-cc.yaml", "mac: 52:54:00:aa:bb:cc\nstatus: rejected\nreason: not ours\n"));
        await host.SyncAsync();

        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Device not approved. Current status: rejected", await response.Content.ReadAsStringAsync());
        }

        var closed = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Number == issue.Number && i.State == "closed"), "the issue closed");
        Assert.Equal("not_planned", closed.StateReason);
        Assert.Contains(rejection, Assert.Single(closed.Comments));
    }

    [Fact]
    public async Task ApprovedBeforeTheWorkerFiledIt_NeverGetsAnIssue()
    {
        var example = _remote.PushExample();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(example);
        var approval = _remote.Push("Approve worker-09", ("inventory/devices/worker-09.yaml", Device));
        await host.SyncAsync();

        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WorkerPassesAsync(host, 3);
        Assert.DoesNotContain(_gitHub.Issues, i => i.Title == Title);
        Assert.Empty(await host.Get<SqliteIssueOutbox>().ListUnfiledAsync(10, default));
    }

    [Fact]
    public async Task GitHubDown_NeverDelaysAnAnswer_AndNothingIsLostWhenItComesBack()
    {
        var example = _remote.PushExample();
        await using var host = await StartAsync();
        await host.WaitForCommitAsync(example);
        await _gitHub.GoDownAsync();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the 403 took {watch.Elapsed}");
        await _gitHub.ComeUpAsync();
        var issue = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Title == Title), "the pending issue after the outage");

        // Down again while the approving commit is synced: the decision waits in the store.
        await _gitHub.GoDownAsync();
        var approval = _remote.Push("Approve worker-09 (#14)", ("inventory/devices/worker-09.yaml", Device));
        await host.SyncAsync();
        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var outbox = host.Get<SqliteIssueOutbox>();
        var waiting = await WaitForAsync(
            () => outbox.ListOpenIssuesAsync(default).GetAwaiter().GetResult().SingleOrDefault(f => f.Decision is not null), "the decision recorded in the store");
        Assert.Equal(new Core.Registry.DeviceDecision(Core.Inventory.DeviceStatus.Approved, approval, 14), waiting.Decision);

        await _gitHub.ComeUpAsync();
        var closed = await WaitForAsync(() => _gitHub.Issues.SingleOrDefault(i => i.Number == issue.Number && i.State == "closed"), "the issue closed after the outage");
        Assert.Contains(approval, Assert.Single(closed.Comments));
        Assert.Single(_gitHub.Issues, i => i.Title == Title);
    }

    [Fact]
    public async Task WithoutGitHubSettings_NothingIsCalled_AndServingIsUnchanged()
    {
        var example = _remote.PushExample();
        await using var host = await StartAsync(gitHub: false);
        await host.WaitForCommitAsync(example);

        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        _remote.Push("Approve worker-09 (#3)", ("inventory/devices/worker-09.yaml", Device));
        await host.SyncAsync();
        using (var response = await host.GetConfigAsync(Query))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Task.Delay(300); // 30 s of GitHub time: several poll intervals of a worker, were there one
        Assert.IsType<NullPendingDeviceIssues>(host.Get<IPendingDeviceIssues>());
        Assert.Empty(host.App.Services.GetServices<IHostedService>().OfType<PendingIssueWorker>());
        Assert.Null(host.App.Services.GetService<GitHubDecisionRelay>());
        Assert.Empty(_gitHub.Requests);
        Assert.DoesNotContain(_gitHub.Issues, i => i.Title.StartsWith("Pending", StringComparison.Ordinal));
    }

    private Task<GatekeeperHost> StartAsync(bool gitHub = true, TimeProvider? clock = null, string? gitHubPollInterval = null)
    {
        string[] args = gitHub
            ? ["--github-repository", $"{_gitHub.Owner}/{_gitHub.Name}", "--github-api-base-url", _gitHub.BaseUri.ToString(), "--github-token-file", _secrets.Sub("token"),
               .. gitHubPollInterval is null ? Array.Empty<string>() : ["--github-poll-interval", gitHubPollInterval]]
            : [];
        return GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path, args, services => services.AddSingleton(clock ?? _clock));
    }

    private static async Task<int?> RecordedIssueAsync(GatekeeperHost host)
    {
        var open = await host.Get<SqliteIssueOutbox>().ListOpenIssuesAsync(default);
        return open.SingleOrDefault(f => f.Sighting.Mac == MacAddress.Parse(Mac))?.IssueNumber;
    }

    /// <summary>Waits until the worker completed <paramref name="count"/> more passes (good or failed).</summary>
    private static async Task WorkerPassesAsync(GatekeeperHost host, int count)
    {
        var worker = host.App.Services.GetServices<IHostedService>().OfType<PendingIssueWorker>().Single();
        var target = worker.Passes + count;
        await WaitForAsync(() => worker.Passes >= target ? (object)true : null, $"{count} worker passes");
        Assert.Equal(0, worker.Failures);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }
}
