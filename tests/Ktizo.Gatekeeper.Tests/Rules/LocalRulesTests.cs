using System.Net;
using Ktizo.Core;
using Ktizo.Gatekeeper.Rules;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Store;
using LibGit2Sharp;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Rules;

/// <summary>
/// Approval rules without GitHub (docs/rules.md): the whole gatekeeper on a real Kestrel, serving a real bare repository
/// it may write, a real SQLite store. A matching machine's device file lands on a branch of that repository; with
/// <c>action: merge</c> the tracked branch is fast-forwarded and the machine gets its config.
/// </summary>
public sealed class LocalRulesTests(ITestOutputHelper output) : IDisposable
{
    private const string Branch = "ktizo/approve/";
    private readonly GitRemote _remote = new();
    private readonly TempFolder _data = new("ktizo-rules-data");

    public void Dispose()
    {
        _remote.Dispose();
        _data.Dispose();
    }

    private static string Rules(string action, int maxPerHour = 10) => RulesWaits.RackA(action, maxPerHour, labels: true);

    private async Task<(GatekeeperHost Host, string Commit)> StartAsync(string rules)
    {
        _remote.PushExample();
        var commit = _remote.Push("Approval rules", ("inventory/rules.yaml", rules));
        var host = await GatekeeperHost.StartAsync(output, _remote.BarePath, _data.Path);
        await host.WaitForCommitAsync(commit);
        return (host, commit);
    }

    private Dictionary<string, (string Sha, string? File, string Message)> ProposalBranches()
    {
        using var repository = new Repository(_remote.BarePath);
        return repository.Branches.Where(b => b.FriendlyName.StartsWith(Branch, StringComparison.Ordinal)).ToDictionary(
            b => b.FriendlyName,
            b => (b.Tip.Sha, b.Tip.Tree.Select(e => e).Any() ? DeviceFile(b.Tip) : null, b.Tip.Message));
    }

    private static string? DeviceFile(Commit commit) =>
        commit.Tree["inventory/devices"]?.Target is Tree devices
            ? devices.Where(e => e.Name.StartsWith("auto-", StringComparison.Ordinal)).Select(e => ((Blob)e.Target).GetContentText()).SingleOrDefault()
            : null;

    private string MainHead()
    {
        using var repository = new Repository(_remote.BarePath);
        return repository.Branches["main"].Tip.Sha;
    }

    [Fact]
    public async Task Propose_CommitsTheNextFreeDeviceOnABranch_AndLeavesTheTrackedBranch()
    {
        var (host, commit) = await StartAsync(Rules("propose"));
        await using var _ = host;
        using (var response = await host.GetConfigAsync("mac=52-54-00-77-00-01&uuid=u1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var branches = await RulesWaits.ForAsync(() => ProposalBranches() is { Count: 1 } b ? b : null, "the proposal branch");
        var (sha, file, message) = branches[Branch + "52-54-00-77-00-01"];
        Assert.Equal("mac: \"52:54:00:77:00:01\"\nhostname: auto-01\nrole: worker\nip: 10.0.5.100/24\nlabels:\n  topology.kubernetes.io/zone: rack-a\n", file);
        Assert.StartsWith("Approve 52:54:00:77:00:01 as auto-01 (worker, 10.0.5.100/24) by rule rack-a", message, StringComparison.Ordinal);
        Assert.Contains("Approval rule rack-a (inventory/rules.yaml, line 2)", message, StringComparison.Ordinal);
        Assert.Equal(commit, MainHead());
        using (var repository = new Repository(_remote.BarePath))
        {
            Assert.Equal(commit, repository.Lookup<Commit>(sha).Parents.Single().Sha);
        }

        var row = Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default));
        Assert.Equal((RuleProposalStates.Proposed, "auto-01", "10.0.5.100/24"), (row.State, row.Hostname, row.Address));

        // Asking again, and a restart's pass, never propose the MAC twice.
        using (await host.GetConfigAsync("mac=52-54-00-77-00-01")) { }
        await RulesWaits.PassesAsync(host, 2);
        Assert.Single(ProposalBranches());
    }

    [Fact]
    public async Task Merge_FastForwardsTheTrackedBranch_AndTheMachineGetsItsConfig()
    {
        var (host, commit) = await StartAsync(Rules("merge"));
        await using var _ = host;
        using (var response = await host.GetConfigAsync("mac=52:54:00:77:00:09"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var head = await RulesWaits.ForAsync(() => MainHead() is { } h && h != commit ? h : null, "the fast-forward");
        Assert.Equal(ProposalBranches()[Branch + "52-54-00-77-00-09"].Sha, head);
        await host.WaitForCommitAsync(head);
        using var approved = await host.GetConfigAsync("mac=52:54:00:77:00:09");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Contains("auto-01", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(RuleProposalStates.Merged, Assert.Single(await host.Get<RuleProposalStore>().ListAsync(default)).State);
    }

    [Fact]
    public async Task TwoMachinesAtOnce_GetDifferentAddressesAndHostnames_AndANonMatchingMacStaysPending()
    {
        var (host, commit) = await StartAsync(Rules("propose"));
        await using var _ = host;
        var answers = await Task.WhenAll(
            host.GetConfigAsync("mac=52:54:00:77:00:01"),
            host.GetConfigAsync("mac=52:54:00:77:00:02"),
            host.GetConfigAsync("mac=52:54:00:78:00:03"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Forbidden, a.StatusCode));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        var branches = await RulesWaits.ForAsync(() => ProposalBranches() is { Count: 2 } b ? b : null, "two proposals");
        await RulesWaits.PassesAsync(host, 2);
        Assert.Equal(2, ProposalBranches().Count);
        var files = branches.Values.Select(b => b.File!).ToList();
        Assert.Equal(["10.0.5.100/24", "10.0.5.101/24"], files.Select(f => f.Split('\n')[3][4..]).Order());
        Assert.Equal(["auto-01", "auto-02"], files.Select(f => f.Split('\n')[1][10..]).Order());

        // The MAC no rule matches: no branch, no row, pending as without rules.
        Assert.DoesNotContain(Branch + "52-54-00-78-00-03", ProposalBranches().Keys);
        var rows = await host.Get<RuleProposalStore>().ListAsync(default);
        Assert.DoesNotContain(rows, r => r.Mac == MacAddress.Parse("52:54:00:78:00:03"));
        Assert.Equal(commit, MainHead());
        using var pending = await host.GetConfigAsync("mac=52:54:00:78:00:03");
        Assert.Equal("Device not approved. Current status: pending", await pending.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MaxPerHour_HoldsBackTheRest()
    {
        var (host, _) = await StartAsync(Rules("propose", maxPerHour: 2));
        await using var gatekeeper = host;
        for (var i = 1; i <= 4; i++)
        {
            using var response = await host.GetConfigAsync($"mac=52:54:00:77:01:0{i}");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await RulesWaits.ForAsync(() => ProposalBranches() is { Count: 2 } b ? b : null, "two proposals");
        await RulesWaits.PassesAsync(host, 3);
        Assert.Equal(2, ProposalBranches().Count);
        Assert.Equal(2, (await host.Get<RuleProposalStore>().ListAsync(default)).Count);
    }
}
