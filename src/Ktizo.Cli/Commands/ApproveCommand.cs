using System.CommandLine;
using Ktizo.Cli.Approval;
using Ktizo.GitHub.Approval;
using Ktizo.Core;
using Ktizo.Core.Inventory;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo approve MAC --hostname H --ip A/P --role R</c>: writes <c>inventory/devices/H.yaml</c>, or with
/// <c>--pr</c> opens the pull request that adds it. The repository is validated with the file added, by
/// the validator CI runs, so an invalid or conflicting device is refused before anyone reviews it.
/// </summary>
public static class ApproveCommand
{
    public static Command Create(CliConsole console)
    {
        var mac = new Argument<string>("MAC") { Description = "The machine's MAC: colons, hyphens or bare hex, any case" };
        var hostname = new Option<string>("--hostname") { Description = "Its hostname (an RFC 1123 label); also names the file", Required = true };
        var ip = new Option<string>("--ip") { Description = "Its address with prefix length, e.g. 10.0.5.24/24", Required = true };
        var role = new Option<string>("--role") { Description = "controlplane or worker", Required = true };
        var gateway = new Option<string?>("--gateway") { Description = "Its default gateway (else the cluster default)" };
        var installDisk = new Option<string?>("--install-disk") { Description = "The disk Talos installs to, e.g. /dev/sda (else the cluster default)" };
        var networkInterface = new Option<string?>("--interface") { Description = "The NIC to configure, e.g. enp3s0" };
        var issue = ApprovalOptions.Issue();
        var pr = ApprovalOptions.PullRequest();
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var github = new GitHubSettings();
        var command = new Command("approve", "Add an approved device file, validated with the rest of the repository (or open its pull request with --pr)")
        {
            mac, hostname, ip, role, gateway, installDisk, networkInterface, issue, pr, repo, rev,
        };
        github.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, () =>
        {
            var fields = new ApprovedDeviceFields(
                parse.GetValue(mac)!, parse.GetValue(hostname)!, parse.GetValue(role)!, parse.GetValue(ip)!,
                parse.GetValue(gateway), parse.GetValue(installDisk), parse.GetValue(networkInterface));
            var proposal = DeviceProposal.Approve(fields, parse.GetValue(issue));
            return DeviceProposalRunner.RunAsync(
                console, proposal, parse.GetValue(repo)!, parse.GetValue(rev),
                parse.GetValue(pr) ? () => github.Connect(parse, console) : null,
                cancellationToken);
        }));
        return command;
    }
}

/// <summary>Options <c>approve</c> and <c>reject</c> share.</summary>
public static class ApprovalOptions
{
    public static Option<int?> Issue() => new("--issue")
    {
        Description = "The pending-device issue this settles (its number)",
        Validators =
        {
            result =>
            {
                // Tokens, not the value: a token that is no number is the parser's error to report.
                if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, out var number) && number <= 0)
                {
                    result.AddError("--issue must be an issue number (1 or more).");
                }
            },
        },
    };

    public static Option<bool> PullRequest() => new("--pr")
    {
        Description = "Instead of writing the file, open a pull request adding it through the GitHub API (settings: KTIZO_GITHUB__REPOSITORY, KTIZO_GITHUB_TOKEN, or the --github-* options)",
    };
}
