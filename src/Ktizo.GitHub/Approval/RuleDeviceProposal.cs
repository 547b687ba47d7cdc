using Ktizo.Core.Inventory;
using Ktizo.Core.Rules;

namespace Ktizo.GitHub.Approval;

/// <summary>
/// The device file an approval rule proposes, as the same <see cref="DeviceProposal"/> <c>ktizo approve</c> makes (same file,
/// same validation, same pull-request text), with the rule named in the title (the commit's subject) and the body, and
/// its branch named by the MAC: <c>ktizo/approve/52-54-00-12-34-56</c>.
/// </summary>
public static class RuleDeviceProposal
{
    public static string BranchFor(Core.MacAddress mac) => "ktizo/approve/" + mac.ToFileName();

    public static DeviceProposal Create(RuleProposal proposal, int? issue)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var plain = DeviceProposal.Approve(proposal.Fields, issue);
        var rule = proposal.Rule;
        var how = rule.Action == RuleAction.Merge
            ? "Ktizo merges it once the validate check on this pull request has passed (never while it is pending or failing)."
            : "A person reviews and merges it, as any approval.";
        return plain with
        {
            Branch = BranchFor(proposal.Mac),
            Title = set => $"{plain.Title(set)} by rule {rule.Name}",
            Body = set =>
                $"Proposed by the approval rule **{rule.Name}** ({RulesReader.RulesFile}, line {rule.At.Line}, action `{rule.Action.ToString().ToLowerInvariant()}`) "
                + $"when the gatekeeper first saw this machine: the next free hostname of `{rule.Hostname}` and the next free address of {rule.Pool}. {how}\n\n"
                + plain.Body(set),
        };
    }
}
