using System.Net;
using Ktizo.Core;
using Ktizo.Gatekeeper.Rules;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using Ktizo.Testing.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Rules;

/// <summary>
/// Approval rules with GitHub (docs/rules.md): the whole gatekeeper on a real Kestrel, the example inventory in a real
/// git remote, a real SQLite store and the GitHub stand-in, on a shared clock at 100×. A matching machine gets the pull
/// request <c>ktizo approve --pr</c> would open, with the rule named; <c>action: merge</c> merges it only once the
/// checks of its head passed.
/// </summary>
public sealed class GitHubRulesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Mac = "52:54:00:77:00:01";
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-ghrules-data");
    private readonly TempFolder _secrets = new("ktizo-ghrules-secrets");
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

    private static string Rules(string action) => RulesWaits.RackA(action);

    private readonly LogRecorder _log = new();

    private async Task<GatekeeperHost> StartAsync(string commit)
    {
        var host = await GatekeeperHost.StartAsync(
            output,
            _remote.BarePath,
            _data.Path,
            ["--github-repository", $"{_gitHub.Owner}/{_gitHub.Name}", "--github-api-base-url", _gitHub.BaseUri.ToString(), "--github-token-file", _secrets.Sub("token")],
            services =>
            {
                services.AddSingleton<TimeProvider>(_clock);
                _log.AddTo(services);
            });
        await host.WaitForCommitAsync(commit);
        return host;
    }

    private async Task SeeAsync(GatekeeperHost host, string mac)
    {
        using var response = await host.GetConfigAsync("mac=" + mac);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private StandInIssue? PullRequest(string mac) =>
        _gitHub.Issues.SingleOrDefault(i => i.IsPullRequest && i.Head == RuleBranch(mac));

    private static string RuleBranch(string mac) => "ktizo/approve/" + MacAddress.Parse(mac).ToFileName();

    [Fact]
    public async Task Propose_OpensThePullRequestWithTheNextFreeValues_NamingTheRule_AndLinksThePendingIssue()
    {
        _remote.PushExample();
        var before = _remote.Push("No rules yet", ("inventory/rules.yaml", "rules:\n"));
        await using var host = await StartAsync(before);

        // Seen before any rule exists: it gets its pending issue, as today.
        await SeeAsync(host, Mac);
        var issue = await RulesWaits.ForAsync(() => _gitHub.Issues.SingleOrDefault(i => !i.IsPullRequest && i.Title == "Pending device " + Mac), "the pending issue");

        // A rule arrives with a commit: the machine seen before it is proposed, once.
        var withRules = _remote.Push("Approval rules", ("inventory/rules.yaml", Rules("propose")), ("inventory/devices/auto-01.yaml", "mac: 52:54:00:00:09:01\nhostname: auto-01\nrole: worker\nip: 10.0.5.100/24\n"));
        await host.SyncAsync();
        await host.WaitForCommitAsync(withRules);
        var pr = await RulesWaits.ForAsync(() => PullRequest(Mac), "the rule's pull request");

        Assert.Equal("Approve 52:54:00:77:00:01 as auto-02 (worker, 10.0.5.101/24) by rule rack-a", pr.Title);
        Assert.Contains("approval rule **rack-a** (inventory/rules.yaml, line 2, action `propose`)", pr.Body, StringComparison.Ordinal);
        Assert.EndsWith($"Closes #{issue.Number}", pr.Body!.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("mac: \"52:54:00:77:00:01\"\nhostname: auto-02\nrole: worker\nip: 10.0.5.101/24\n", _gitHub.FileAt(RuleBranch(Mac), "inventory/devices/auto-02.yaml"));
        Assert.Equal(pr.Title, _gitHub.CommitOf(_gitHub.HeadOf(pr.Number)).Message);

        await RulesWaits.PassesAsync(host, 3);
        Assert.Single(_gitHub.Issues, i => i.IsPullRequest);
        Assert.Empty(_gitHub.MergedPullRequests);
        var row = Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default));
        Assert.Equal((RuleProposalStates.Proposed, pr.Number), (row.State, row.PullRequest));
    }

    [Fact]
    public async Task Propose_BeforeTheIssueExists_TheIssueCreatedAfterwardsNamesThePullRequest()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("propose"))));

        // The usual order: the rule is there when the machine first boots, so its pull request comes before any issue.
        await SeeAsync(host, Mac);
        var pr = await RulesWaits.ForAsync(() => PullRequest(Mac), "the rule's pull request");
        var issue = await RulesWaits.ForAsync(() => _gitHub.Issues.SingleOrDefault(i => !i.IsPullRequest && i.Title == "Pending device " + Mac), "the pending issue");

        Assert.Contains($"Proposed by rule rack-a in #{pr.Number}", issue.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Closes #", pr.Body, StringComparison.Ordinal);
        // Written at creation: no edit of the issue afterwards.
        Assert.DoesNotContain(_gitHub.Requests, r => r.Method == "PATCH" && r.Path.EndsWith($"/issues/{issue.Number}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Propose_WhenOpeningThePullRequestAnswers502AfterItTookEffect_KeepsThatPullRequest_NeverASecond()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("propose"))));
        _gitHub.FailNext(1, 502, afterProcessing: true, method: "POST", pathSuffix: "/pulls");

        await SeeAsync(host, Mac);
        await RulesWaits.ForAsync(async () => (await host.Get<RuleProposalStore>().ListAsync(default)).SingleOrDefault()?.State == RuleProposalStates.Proposed, "the proposed state");
        await RulesWaits.PassesAsync(host, 3);

        // GitHub opened it despite the 502: it is the proposal, its branch kept, and no second one is opened.
        var pr = Assert.Single(_gitHub.Issues, i => i.IsPullRequest);
        Assert.Equal(("open", RuleBranch(Mac)), (pr.State, pr.Head));
        Assert.NotNull(_gitHub.FileAt(RuleBranch(Mac), "inventory/devices/auto-01.yaml"));
        Assert.Equal(pr.Number, Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default)).PullRequest);
    }

    [Fact]
    public async Task Propose_WhenGitHubFails_RetriesWithBackoff_AndOpensOnePullRequest()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("propose"))));
        _gitHub.FailNext(2, 500, method: "POST", pathSuffix: "/git/refs");

        await SeeAsync(host, Mac);
        var pr = await RulesWaits.ForAsync(() => PullRequest(Mac), "the rule's pull request after two failures");
        await RulesWaits.ForAsync(async () => (await host.Get<RuleProposalStore>().ListAsync(default)).SingleOrDefault()?.State == RuleProposalStates.Proposed, "the proposed state");

        var row = Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default));
        Assert.Equal((2, pr.Number, "auto-01"), (row.Attempts, row.PullRequest, row.Hostname));
        Assert.Single(_gitHub.Issues, i => i.IsPullRequest);
        Assert.Equal(2, _log.Entries.Count(e => e.Message.Contains("could not propose 52:54:00:77:00:01 as auto-01 (attempt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Propose_WhenGitHubFailsEveryAttempt_GivesUpAfterFive_SayingToApproveByHand()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("propose"))));
        _gitHub.FailNext(RulesWorker.MaxAttempts + 1, 502, method: "POST", pathSuffix: "/git/refs");

        await SeeAsync(host, Mac);
        await RulesWaits.ForAsync(async () => (await host.Get<RuleProposalStore>().ListAsync(default)).SingleOrDefault()?.State == RuleProposalStates.Failed, "the failed state");
        await RulesWaits.PassesAsync(host, 3);

        var row = Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default));
        Assert.Equal(RulesWorker.MaxAttempts, row.Attempts);
        Assert.StartsWith("gave up after 5 attempts", row.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_gitHub.Issues, i => i.IsPullRequest);
        Assert.Contains(_log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("approve it by hand", StringComparison.Ordinal));
        Assert.Contains("ktizo_rule_proposals_failed_total 1", await host.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        // Once given up, it is never attempted again: one failure injected is left unused.
        Assert.Equal(RulesWorker.MaxAttempts, _gitHub.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/git/refs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Merge_WaitsWhileTheCheckIsPending_ThenMergesOnSuccess()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("merge"))));
        await SeeAsync(host, Mac);
        var pr = await RulesWaits.ForAsync(() => PullRequest(Mac), "the rule's pull request");
        var head = _gitHub.HeadOf(pr.Number);

        // No check reported yet, then one running: pending, never merged.
        await RulesWaits.PassesAsync(host, 3);
        _gitHub.SetCheckRun(head, "validate", "in_progress");
        _gitHub.SetStatus(head, "ktizo/validate", "pending");
        await RulesWaits.PassesAsync(host, 3);
        Assert.Empty(_gitHub.MergedPullRequests);
        Assert.Equal(RuleProposalStates.AwaitingCheck, Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default)).State);

        // One passed, one still pending: still waits.
        _gitHub.SetCheckRun(head, "validate", "completed", "success");
        await RulesWaits.PassesAsync(host, 3);
        Assert.Empty(_gitHub.MergedPullRequests);

        _gitHub.SetStatus(head, "ktizo/validate", "success");
        await RulesWaits.ForAsync(() => _gitHub.MergedPullRequests.Contains(pr.Number) ? "merged" : null, "the merge");
        Assert.Equal("closed", PullRequest(Mac)!.State);
        Assert.NotNull(_gitHub.FileAt(_gitHub.DefaultBranch, "inventory/devices/auto-01.yaml"));
        await RulesWaits.ForAsync(async () => (await host.Get<RuleProposalStore>().ListAsync(default)).Single().State == RuleProposalStates.Merged, "the merged state");
    }

    [Fact]
    public async Task Merge_WhenACheckFails_NeverMerges()
    {
        _remote.PushExample();
        await using var host = await StartAsync(_remote.Push("Approval rules", ("inventory/rules.yaml", Rules("merge"))));
        await SeeAsync(host, Mac);
        var pr = await RulesWaits.ForAsync(() => PullRequest(Mac), "the rule's pull request");
        var head = _gitHub.HeadOf(pr.Number);
        _gitHub.SetCheckRun(head, "lint", "completed", "success");
        _gitHub.SetCheckRun(head, "validate", "completed", "failure");

        await RulesWaits.ForAsync(async () => (await host.Get<RuleProposalStore>().ListAsync(default)).Single().State == RuleProposalStates.CheckFailed, "the check-failed state");
        // Even once the checks turn green afterwards, the rule never merges a change that failed: a person decides.
        _gitHub.SetCheckRun(head, "validate", "completed", "success");
        await RulesWaits.PassesAsync(host, 3);
        Assert.Empty(_gitHub.MergedPullRequests);
        Assert.Null(_gitHub.FileAt(_gitHub.DefaultBranch, "inventory/devices/auto-01.yaml"));
        Assert.DoesNotContain(_gitHub.Requests, r => r.Method == "PUT" && r.Path.EndsWith("/merge", StringComparison.Ordinal));
    }
}
