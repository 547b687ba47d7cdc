using System.CommandLine;
using Ktizo.Cli.Approval;
using Ktizo.Core;
using Ktizo.Core.Inventory;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo reject MAC [--reason TEXT]</c>: writes <c>inventory/devices/rejected-MAC.yaml</c> with
/// <c>status: rejected</c>, or with <c>--pr</c> opens the pull request that adds it; validated like approve.
/// The pull request names the pending issue with <c>Refs #N</c>, not <c>Closes #N</c>: GitHub would close
/// it as completed, while the gatekeeper closes a rejected machine's issue as not planned once it syncs.
/// </summary>
public static class RejectCommand
{
    public static Command Create(CliConsole console)
    {
        var mac = new Argument<string>("MAC") { Description = "The machine's MAC: colons, hyphens or bare hex, any case" };
        var reason = new Option<string?>("--reason") { Description = "Why, in one line (at most 200 characters)" };
        var issue = ApprovalOptions.Issue();
        var pr = ApprovalOptions.PullRequest();
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var github = new GitHubSettings();
        var command = new Command("reject", "Add a rejected device file, so the machine never receives a config (or open its pull request with --pr)")
        {
            mac, reason, issue, pr, repo, rev,
        };
        github.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, () =>
        {
            var macText = parse.GetValue(mac)!;
            // A MAC that does not parse is still validated (and refused, with the validator's message) under a placeholder name.
            var path = MacAddress.TryParse(macText, out var parsed)
                ? DeviceFileText.RejectedPath(parsed)
                : $"{InventoryReader.DevicesDirectory}/rejected-new-device.yaml";
            var issueNumber = parse.GetValue(issue);
            var proposal = new DeviceProposal(
                path,
                DeviceFileText.Rejected(macText, parse.GetValue(reason)),
                $"ktizo/reject-{parsed.ToFileName()}",
                _ => PullRequestText.RejectTitle(parsed),
                set => PullRequestText.RejectBody(set.Rejected[parsed]),
                issueNumber is { } n ? $"Refs #{n}" : null,
                issueNumber,
                ClosesIssue: false,
                Decision: "rejected");
            return DeviceProposalRunner.RunAsync(
                console, proposal, parse.GetValue(repo)!, parse.GetValue(rev),
                parse.GetValue(pr) ? () => github.Connect(parse, console) : null,
                cancellationToken);
        }));
        return command;
    }
}
