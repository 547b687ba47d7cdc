using Ktizo.Core;
using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Sync;
using Ktizo.GitHub;
using Ktizo.GitHub.Approval;
using Ktizo.Store;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>
/// Rules with GitHub: the approving pull request is opened by the code <c>ktizo approve --pr</c> and the page use
/// (<see cref="DeviceProposals"/>), validated first against the served commit with the file added; its body says
/// <c>Closes #N</c> for the machine's pending issue, which links it there. <c>action: merge</c> pull requests are then
/// followed: merged through the REST API once every check of their head passed, never while one is pending or failed.
/// </summary>
public sealed class GitHubRuleProposer(
    IApprovalPullRequests pullRequests, PullRequestMerges merges, IRepositorySource source, DeviceStore store, ILogger<GitHubRuleProposer> logger) : IRuleProposer
{
    public string? Unavailable => null;

    public async Task<ProposalOutcome> ProposeAsync(RuleProposal proposal, ServingSnapshot served, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(served);
        var issues = await IssuesOfAsync(proposal.Mac, cancellationToken).ConfigureAwait(false);
        var device = RuleDeviceProposal.Create(proposal, issues.TryGetValue(proposal.Mac, out var issue) ? issue : null);
        var tree = source.OpenTree(served.Commit);
        ProposalCheck check;
        try
        {
            check = DeviceProposals.Validate(tree, device);
        }
        finally
        {
            (tree as IDisposable)?.Dispose();
        }

        if (!check.IsValid)
        {
            return new ProposalOutcome(RuleProposalStates.Refused, Detail: LocalRuleProposer.Refusal(check));
        }

        var opened = await DeviceProposals.OpenPullRequestAsync(pullRequests, device, check.Set!, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Rule {Rule} opened pull request #{PullRequest} approving {Mac} as {Hostname} ({Address})", proposal.Rule.Name, opened.Number, proposal.Mac, proposal.Hostname, proposal.Ip);
        var state = proposal.Rule.Action == RuleAction.Merge ? RuleProposalStates.AwaitingCheck : RuleProposalStates.Proposed;
        return new ProposalOutcome(state, opened.Number, opened.Branch, opened.CommitSha);
    }

    public async Task<ProposalOutcome?> FindExistingAsync(RuleProposalRecord row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (await pullRequests.FindOpenPullRequestAsync(RuleDeviceProposal.BranchFor(row.Mac), cancellationToken).ConfigureAwait(false) is not { } opened)
        {
            return null;
        }

        var state = row.Action == "merge" ? RuleProposalStates.AwaitingCheck : RuleProposalStates.Proposed;
        return new ProposalOutcome(state, opened.Number, opened.Branch, opened.CommitSha);
    }

    public async Task<ProposalOutcome?> FollowAsync(RuleProposalRecord row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.PullRequest is not { } number || row.HeadSha is not { } sha)
        {
            return null;
        }

        switch (await merges.ChecksOfAsync(sha, cancellationToken).ConfigureAwait(false))
        {
            case CheckVerdict.Pending:
                return null;
            case CheckVerdict.Failed:
                logger.LogWarning("Rule {Rule}: a check failed on pull request #{PullRequest} ({Mac}); it is never merged by Ktizo", row.Rule, number, row.Mac);
                return new ProposalOutcome(RuleProposalStates.CheckFailed, Detail: "a check failed on the pull request's head");
        }

        var title = $"Merge approval of {row.Mac} as {row.Hostname} by rule {row.Rule} (#{number})";
        switch (await merges.MergeAsync(number, sha, title, cancellationToken).ConfigureAwait(false))
        {
            case MergeResult.Merged:
                logger.LogInformation("Rule {Rule} merged pull request #{PullRequest} approving {Mac}", row.Rule, number, row.Mac);
                return new ProposalOutcome(RuleProposalStates.Merged);
            case MergeResult.HeadChanged:
                // Someone pushed to the branch: that commit is not what the rule proposed. A person decides.
                return new ProposalOutcome(RuleProposalStates.Proposed, Detail: "the pull request's head changed; left for a person");
            default:
                return new ProposalOutcome(RuleProposalStates.Proposed, Detail: "GitHub would not merge it (405); left for a person");
        }
    }

    private async Task<IReadOnlyDictionary<MacAddress, int>> IssuesOfAsync(MacAddress mac, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenIssuesOfAsync([mac], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the link to the issue is lost; the proposal stands on its own.
            logger.LogDebug(e, "Could not read the pending issue of {Mac}", mac);
            return new Dictionary<MacAddress, int>();
        }
    }
}
