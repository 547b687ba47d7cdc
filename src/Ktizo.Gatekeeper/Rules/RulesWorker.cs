using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>
/// Applies the served commit's approval rules (docs/rules.md) to machines the gatekeeper has seen but that are in no device
/// file. Woken by first sightings, it works one machine at a time: first matching rule, next free hostname and address
/// (not used by the served commit nor by any earlier proposal), a durable claim of the MAC, then the proposal. So two
/// machines booting together get different values, a MAC is never proposed twice (also across restarts), and every
/// GitHub call waits its turn in the pacer: a boot storm becomes proposals at the pace GitHub allows. It also follows
/// the <c>action: merge</c> pull requests waiting for their checks.
/// </summary>
public sealed class RulesWorker(
    ServingState state, RuleProposalStore proposals, IRuleProposer proposer, RuleSignal signal, TimeProvider time, ILogger<RulesWorker> logger) : BackgroundService
{
    /// <summary>How often the worker looks without being woken: rules added by a commit reach machines seen before it.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often the checks of a pull request waiting to be merged are read (a few paced reads each).</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(15);

    /// <summary>Wait after a first sighting so machines booting together are handled in one pass.</summary>
    public static readonly TimeSpan WakeDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Machines read per pass: the newest first sightings.</summary>
    public const int CandidatesPerPass = 1000;

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private int _passes;

    // Unknown at start (a pull request may wait from before a restart); afterwards whether the last pass saw one waiting.
    private bool _mayBeFollowing = true;

    /// <summary>Passes completed, good or failed; tests wait on it.</summary>
    public int Passes => Volatile.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (proposer.Unavailable is { } reason)
        {
            logger.LogInformation("Approval rules are read and validated, but no machine is proposed: {Reason}", reason);
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var following = false;
            try
            {
                following = await PassAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogWarning("Approval rules pass failed ({Failures} in a row): {Error}: {Message}", failures, e.GetType().Name, e.Message);
            }

            Interlocked.Increment(ref _passes);
            try
            {
                var wait = failures > 0 ? TimeSpan.FromSeconds(Math.Min(300, 2 << Math.Min(failures, 8))) : following ? FollowInterval : PollInterval;
                if (await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(WakeDelay, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass; true while a pull request waits for its checks.</summary>
    internal async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null || (snapshot.Set.Rules.Rules.Count == 0 && !_mayBeFollowing))
        {
            // Without rules and with nothing waiting for a check, the store is left alone.
            return false;
        }

        var rows = await proposals.ListAsync(cancellationToken).ConfigureAwait(false);
        _mayBeFollowing = rows.Any(r => r.State == RuleProposalStates.AwaitingCheck);
        var waiting = false;
        foreach (var row in rows.Where(r => r.State == RuleProposalStates.AwaitingCheck))
        {
            if (await proposer.FollowAsync(row, cancellationToken).ConfigureAwait(false) is { } next)
            {
                await proposals.UpdateAsync(row.Mac, next.State, time.GetUtcNow(), cancellationToken, next.PullRequest, next.Branch, next.HeadSha, next.Detail).ConfigureAwait(false);
                waiting |= next.State == RuleProposalStates.AwaitingCheck;
            }
            else
            {
                waiting = true;
            }
        }

        var rules = snapshot.Set.Rules;
        if (rules.Rules.Count == 0)
        {
            return waiting;
        }

        var taken = Taken(snapshot, rows);
        var now = time.GetUtcNow();
        var lastHour = rows.Where(r => r.State != RuleProposalStates.Refused && r.Created > now - Hour)
            .GroupBy(r => r.Rule, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        var candidates = await proposals.CandidatesAsync(CandidatesPerPass, cancellationToken).ConfigureAwait(false);
        foreach (var candidate in candidates.Reverse())
        {
            if (snapshot.Set.StatusOf(candidate.Mac) != DeviceStatus.Pending || rules.Match(new Sighting(candidate.Mac, candidate.Uuid, candidate.Source)) is not { } rule)
            {
                continue; // decided in git already, or no rule matches: pending as without rules
            }

            if (lastHour.GetValueOrDefault(rule.Name) >= rule.MaxPerHour)
            {
                if (held.Add(rule.Name))
                {
                    logger.LogWarning("Rule {Rule} reached its maxPerHour of {Max}: {Mac} and later machines wait", rule.Name, rule.MaxPerHour, candidate.Mac);
                }

                continue;
            }

            waiting |= await ProposeAsync(snapshot, rule, candidate.Mac, taken, cancellationToken).ConfigureAwait(false);
            lastHour[rule.Name] = lastHour.GetValueOrDefault(rule.Name) + 1;
        }

        return waiting;
    }

    /// <returns>True when the proposal waits for its checks.</returns>
    private async Task<bool> ProposeAsync(ServingSnapshot snapshot, ApprovalRule rule, MacAddress mac, TakenValues taken, CancellationToken cancellationToken)
    {
        var proposal = RuleAllocation.Next(rule, mac, taken.Hostnames, taken.Addresses);
        var action = rule.Action == RuleAction.Merge ? "merge" : "propose";
        if (proposal is null)
        {
            logger.LogWarning("Rule {Rule} matches {Mac} but has no free hostname or address left in {Pool}; the machine stays pending", rule.Name, mac, rule.Pool);
            await proposals.ClaimAsync(
                new RuleProposalRecord(mac, rule.Name, action, null, null, RuleProposalStates.Refused, null, null, null, "no free hostname or address", default),
                time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return false;
        }

        var claim = new RuleProposalRecord(mac, rule.Name, action, proposal.Hostname, proposal.Ip.ToString(), RuleProposalStates.Claimed, null, null, null, null, default);
        if (!await proposals.ClaimAsync(claim, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Taken from here on, whatever happens next: a proposal that fails half-way must not hand its values to another.
        taken.Hostnames.Add(proposal.Hostname);
        taken.Addresses.Add(proposal.Ip.Address);
        ProposalOutcome outcome;
        try
        {
            outcome = await proposer.ProposeAsync(proposal, snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whether GitHub created the pull request is unknown: the claim stays, and the MAC is not proposed again.
            logger.LogWarning("Rule {Rule} could not propose {Mac} as {Hostname}: {Error}; approve it by hand if no pull request appeared", rule.Name, mac, proposal.Hostname, e.Message);
            await proposals.UpdateAsync(mac, RuleProposalStates.Claimed, time.GetUtcNow(), CancellationToken.None, detail: "failed: " + e.Message).ConfigureAwait(false);
            return false;
        }

        if (outcome.State == RuleProposalStates.Refused)
        {
            logger.LogWarning("Rule {Rule} did not propose {Mac}: {Detail}", rule.Name, mac, outcome.Detail);
        }

        await proposals.UpdateAsync(mac, outcome.State, time.GetUtcNow(), CancellationToken.None, outcome.PullRequest, outcome.Branch, outcome.HeadSha, outcome.Detail).ConfigureAwait(false);
        return outcome.State == RuleProposalStates.AwaitingCheck;
    }

    private static TakenValues Taken(ServingSnapshot snapshot, IReadOnlyList<RuleProposalRecord> rows)
    {
        var set = snapshot.Set;
        var hostnames = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<IPAddress>(RuleAllocation.ClusterAddresses(set.Cluster));
        foreach (var config in set.Approved.Values)
        {
            hostnames.Add(config.Device.Hostname);
            addresses.Add(config.Device.Ip.Address);
            if (config.Device.Gateway is { } gateway)
            {
                addresses.Add(gateway);
            }
        }

        foreach (var rejected in set.Rejected.Values)
        {
            if (rejected.Hostname is { } name)
            {
                hostnames.Add(name);
            }
        }

        foreach (var row in rows.Where(r => r.State != RuleProposalStates.Refused))
        {
            if (row.Hostname is { } name)
            {
                hostnames.Add(name);
            }

            if (IpPrefix.TryParse(row.Address, out var ip))
            {
                addresses.Add(ip.Address);
            }
        }

        return new TakenValues(hostnames, addresses);
    }

    private sealed record TakenValues(HashSet<string> Hostnames, HashSet<IPAddress> Addresses);
}
