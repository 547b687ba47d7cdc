using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

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
    ServingState state, RuleProposalStore proposals, IRuleProposer proposer, RuleSignal signal, GatekeeperMetrics metrics, TimeProvider time, ILogger<RulesWorker> logger)
    : BackgroundService
{
    /// <summary>Attempts to create one proposal (GitHub or the local git write failing) before it is left to a person.</summary>
    public const int MaxAttempts = 5;

    private readonly Counter _failedAttempts = metrics.Factory.CreateCounter(
        "ktizo_rule_proposal_failed_attempts_total", "Attempts to create a rule's proposal that failed (retried with backoff).");

    private readonly Counter _givenUp = metrics.Factory.CreateCounter(
        "ktizo_rule_proposals_failed_total", $"Rule proposals given up after {MaxAttempts} failed attempts: approve those machines by hand.");

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
        foreach (var row in rows.Where(r => r.State == RuleProposalStates.Claimed && now >= r.Updated + RetryDelay(r.Attempts)))
        {
            waiting |= await RetryAsync(snapshot, row, cancellationToken).ConfigureAwait(false);
        }

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
        return await AttemptAsync(proposal, snapshot, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Wait before the next attempt of a claim that failed <paramref name="attempts"/> times: 30 s, doubling, at most 10 min.
    /// None for a claim never attempted to the end (the gatekeeper stopped while creating it).
    /// </summary>
    public static TimeSpan RetryDelay(int attempts) =>
        attempts <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(600, 30 << Math.Min(attempts - 1, 5)));

    /// <summary>A claim whose proposal failed (or was cut short by a stop): what an earlier attempt created is used, else it is made again.</summary>
    private async Task<bool> RetryAsync(ServingSnapshot snapshot, RuleProposalRecord row, CancellationToken cancellationToken)
    {
        var rule = snapshot.Set.Rules.Rules.FirstOrDefault(r => r.Name == row.Rule);
        IpPrefix ip = default!;
        string? gone = snapshot.Set.StatusOf(row.Mac) != DeviceStatus.Pending ? "decided in git before the proposal was made"
            : rule is null ? $"rule {row.Rule} is no longer in {RulesReader.RulesFile}"
            : row.Hostname is null || !IpPrefix.TryParse(row.Address, out ip) ? "the claim has no values"
            : null;
        if (gone is not null)
        {
            logger.LogInformation("Rule {Rule} no longer proposes {Mac}: {Reason}", row.Rule, row.Mac, gone);
            await proposals.UpdateAsync(row.Mac, RuleProposalStates.Refused, time.GetUtcNow(), CancellationToken.None, detail: gone).ConfigureAwait(false);
            return false;
        }

        ProposalOutcome? existing;
        try
        {
            // GitHub may have opened the pull request and answered an error, or the gatekeeper stopped before recording it.
            existing = await proposer.FindExistingAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailedAsync(row.Rule, row.Mac, row.Hostname!, row.Attempts, e).ConfigureAwait(false);
            return false;
        }

        if (existing is not null)
        {
            logger.LogInformation("Rule {Rule}: the proposal of {Mac} exists already (pull request #{PullRequest}, branch {Branch}); recorded", row.Rule, row.Mac, existing.PullRequest, existing.Branch);
            await proposals.UpdateAsync(row.Mac, existing.State, time.GetUtcNow(), CancellationToken.None, existing.PullRequest, existing.Branch, existing.HeadSha, existing.Detail).ConfigureAwait(false);
            return existing.State == RuleProposalStates.AwaitingCheck;
        }

        var proposal = new RuleProposal(rule!, row.Mac, row.Hostname!, ip);
        return await AttemptAsync(proposal, snapshot, row.Attempts, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>True when the proposal waits for its checks.</returns>
    private async Task<bool> AttemptAsync(RuleProposal proposal, ServingSnapshot snapshot, int attempts, CancellationToken cancellationToken)
    {
        var (rule, mac) = (proposal.Rule, proposal.Mac);
        ProposalOutcome outcome;
        try
        {
            outcome = await proposer.ProposeAsync(proposal, snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The claim stays: its values are not handed to another machine, and a later pass retries it.
            await FailedAsync(rule.Name, mac, proposal.Hostname, attempts, e).ConfigureAwait(false);
            return false;
        }

        if (outcome.State == RuleProposalStates.Refused)
        {
            logger.LogWarning("Rule {Rule} did not propose {Mac}: {Detail}", rule.Name, mac, outcome.Detail);
        }

        await proposals.UpdateAsync(mac, outcome.State, time.GetUtcNow(), CancellationToken.None, outcome.PullRequest, outcome.Branch, outcome.HeadSha, outcome.Detail).ConfigureAwait(false);
        return outcome.State == RuleProposalStates.AwaitingCheck;
    }

    private async Task FailedAsync(string rule, MacAddress mac, string hostname, int before, Exception e)
    {
        _failedAttempts.Inc();
        var attempts = before + 1;
        if (attempts >= MaxAttempts)
        {
            _givenUp.Inc();
            logger.LogError(
                "Rule {Rule} gave up proposing {Mac} as {Hostname} after {Attempts} failed attempts ({Error}); approve it by hand (ktizo approve --pr)",
                rule, mac, hostname, attempts, e.Message);
            await proposals.RecordFailureAsync(mac, RuleProposalStates.Failed, $"gave up after {attempts} attempts: {e.Message}", time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        logger.LogWarning(
            "Rule {Rule} could not propose {Mac} as {Hostname} (attempt {Attempt} of {Max}): {Error}; retrying in {Delay}",
            rule, mac, hostname, attempts, MaxAttempts, e.Message, RetryDelay(attempts));
        await proposals.RecordFailureAsync(mac, RuleProposalStates.Claimed, $"attempt {attempts} failed: {e.Message}", time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
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
