using System.Text;
using Ktizo.Core;
using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Git;
using Ktizo.GitHub.Approval;
using Ktizo.Store;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>
/// Rules without GitHub, for a repository that is a folder on this machine (docs/rules.md): the device file is committed on
/// the branch <c>ktizo/approve/&lt;mac&gt;</c> of that repository, on top of the tracked branch's head, with the rule named in
/// the message; <c>action: merge</c> then fast-forwards the tracked branch to it and asks for a sync.
/// </summary>
public sealed class LocalRuleProposer(
    LocalProposals repository, Settings.GatekeeperOptions options, SyncService sync, TimeProvider time, ILogger<LocalRuleProposer> logger) : IRuleProposer
{
    public string? Unavailable => null;

    public Task<ProposalOutcome> ProposeAsync(RuleProposal proposal, ServingSnapshot served, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var device = RuleDeviceProposal.Create(proposal, issue: null);
        // The tracked branch's own head: a commit pushed since the last sync is what the new commit goes on, and what it is validated with.
        var head = repository.Head ?? served.Commit;
        ProposalCheck check;
        using (var tree = GitTrees.Open(repository.RepositoryPath, head))
        {
            check = DeviceProposals.Validate(tree, device);
        }

        if (!check.IsValid)
        {
            return Task.FromResult(new ProposalOutcome(RuleProposalStates.Refused, Detail: Refusal(check)));
        }

        var title = device.Title(check.Set!);
        var message = $"{title}\n\nApproval rule {proposal.Rule.Name} ({RulesReader.RulesFile}, line {proposal.Rule.At.Line}) proposed this device when the gatekeeper first saw {proposal.Mac}.\n";
        LocalProposal made;
        try
        {
            made = repository.Commit(head, device.Path, Encoding.UTF8.GetBytes(device.Content), message, device.Branch, time.GetUtcNow());
        }
        catch (KtizoException e) when (e.InnerException is null)
        {
            // The branch exists already. A failing git write (git's error inside) is thrown on instead: retried with backoff.
            return Task.FromResult(new ProposalOutcome(RuleProposalStates.Refused, Detail: e.Message));
        }

        logger.LogInformation("Rule {Rule} committed {Path} for {Mac} on branch {Branch} ({Commit})", proposal.Rule.Name, device.Path, proposal.Mac, made.Branch, made.Commit);
        if (proposal.Rule.Action != RuleAction.Merge)
        {
            return Task.FromResult(new ProposalOutcome(RuleProposalStates.Proposed, Branch: made.Branch, HeadSha: made.Commit));
        }

        if (!repository.FastForward(made))
        {
            logger.LogWarning("Rule {Rule}: branch {Branch} was not fast-forwarded to {ProposalBranch} (it moved meanwhile, or is checked out in a working tree); merge it by hand", proposal.Rule.Name, options.Branch, made.Branch);
            return Task.FromResult(new ProposalOutcome(RuleProposalStates.Proposed, Branch: made.Branch, HeadSha: made.Commit, Detail: "not fast-forwarded: the branch moved or is checked out"));
        }

        logger.LogInformation("Rule {Rule} fast-forwarded {Branch} to {Commit}, approving {Mac}", proposal.Rule.Name, options.Branch, made.Commit, proposal.Mac);
        _ = sync.RequestSync($"rule {proposal.Rule.Name}");
        return Task.FromResult(new ProposalOutcome(RuleProposalStates.Merged, Branch: made.Branch, HeadSha: made.Commit));
    }

    // A branch an earlier attempt left makes the next commit fail as "exists already": refused, the branch stays for a person.
    public Task<ProposalOutcome?> FindExistingAsync(RuleProposalRecord row, CancellationToken cancellationToken) => Task.FromResult<ProposalOutcome?>(null);

    public Task<ProposalOutcome?> FollowAsync(RuleProposalRecord row, CancellationToken cancellationToken) => Task.FromResult<ProposalOutcome?>(null);

    internal static string Refusal(ProposalCheck check) =>
        "refused by the validator: " + string.Join("; ", check.Errors.Take(3).Select(e => e.ToString()));
}
