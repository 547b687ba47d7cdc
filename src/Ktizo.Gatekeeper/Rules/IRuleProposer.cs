using Ktizo.Core.Rules;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Store;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>Where a proposal went: the row's next state and what was created.</summary>
public sealed record ProposalOutcome(string State, int? PullRequest = null, string? Branch = null, string? HeadSha = null, string? Detail = null);

/// <summary>
/// Makes a rule's proposal real: a pull request (<see cref="GitHubRuleProposer"/>) or a branch of the local repository
/// (<see cref="LocalRuleProposer"/>). Only one is active; with neither (a network repository and no GitHub), rules are
/// read and reported but no machine is proposed.
/// </summary>
public interface IRuleProposer
{
    /// <summary>Null when this gatekeeper can propose; else why not, for the log.</summary>
    string? Unavailable { get; }

    /// <summary>Validates the device file with the rest of the repository (CI's validator) and, if valid, proposes it.</summary>
    Task<ProposalOutcome> ProposeAsync(RuleProposal proposal, ServingSnapshot served, CancellationToken cancellationToken);

    /// <summary>
    /// Before a failed claim is retried: the proposal an earlier attempt created after all (GitHub: an open pull request
    /// from <c>ktizo/approve/&lt;mac&gt;</c>), as its outcome; null when there is none and the proposal is made again.
    /// </summary>
    Task<ProposalOutcome?> FindExistingAsync(RuleProposalRecord row, CancellationToken cancellationToken);

    /// <summary>For a row awaiting its check: the next state, or null while the check is pending.</summary>
    Task<ProposalOutcome?> FollowAsync(RuleProposalRecord row, CancellationToken cancellationToken);
}

/// <summary>Neither GitHub nor a repository on this machine: nothing to propose through.</summary>
public sealed class UnavailableRuleProposer(string reason) : IRuleProposer
{
    public string? Unavailable => reason;

    public Task<ProposalOutcome> ProposeAsync(RuleProposal proposal, ServingSnapshot served, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(reason);

    public Task<ProposalOutcome?> FindExistingAsync(RuleProposalRecord row, CancellationToken cancellationToken) =>
        Task.FromResult<ProposalOutcome?>(null);

    public Task<ProposalOutcome?> FollowAsync(RuleProposalRecord row, CancellationToken cancellationToken) =>
        Task.FromResult<ProposalOutcome?>(null);
}
