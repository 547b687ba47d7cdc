using System.CommandLine;
using Ktizo.Cli.Approval;
using Ktizo.GitHub.Approval;
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
            var proposal = DeviceProposal.Reject(parse.GetValue(mac)!, parse.GetValue(reason), parse.GetValue(issue));
            return DeviceProposalRunner.RunAsync(
                console, proposal, parse.GetValue(repo)!, parse.GetValue(rev),
                parse.GetValue(pr) ? () => github.Connect(parse, console) : null,
                cancellationToken);
        }));
        return command;
    }
}
