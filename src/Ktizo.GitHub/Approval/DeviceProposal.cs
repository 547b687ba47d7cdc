using System.Text;
using Ktizo.Core;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;

namespace Ktizo.GitHub.Approval;

/// <summary>One device file that <c>ktizo approve</c>/<c>reject</c> or the gatekeeper's page proposes to add.</summary>
/// <param name="Path">repository-relative path of the new file</param>
/// <param name="Content">its exact text (<see cref="DeviceFileText"/>)</param>
/// <param name="Branch">branch name for the pull request and for the printed git commands</param>
/// <param name="Title">pull-request title and commit subject, from the validated set</param>
/// <param name="Body">pull-request body without the issue line, from the validated set</param>
/// <param name="IssueLine">how the pending issue is named in the body or commit (<c>Closes #12</c>); null without an issue</param>
/// <param name="ClosesIssue">whether GitHub should close the issue on merge (the <c>Closes #N</c> keyword)</param>
/// <param name="Decision">what merging the file decides, for the printed next steps: "approved", "rejected"</param>
public sealed record DeviceProposal(
    string Path,
    string Content,
    string Branch,
    Func<RenderedSet, string> Title,
    Func<RenderedSet, string> Body,
    string? IssueLine,
    int? Issue,
    bool ClosesIssue,
    string Decision)
{
    /// <summary>The approving file for <paramref name="fields"/>; <paramref name="issue"/> is closed by the merge.</summary>
    public static DeviceProposal Approve(ApprovedDeviceFields fields, int? issue)
    {
        ArgumentNullException.ThrowIfNull(fields);
        // A hostname that cannot name a file is still validated (and refused) under a placeholder name.
        var path = DeviceFileText.ApprovedPath(fields.Hostname) ?? $"{InventoryReader.DevicesDirectory}/new-device.yaml";
        return new DeviceProposal(
            path,
            DeviceFileText.Approved(fields),
            GitHubApprovalPullRequests.BranchFor(path),
            set => PullRequestText.ApproveTitle(set.Approved[MacAddress.Parse(fields.Mac)]),
            set => PullRequestText.ApproveBody(set, set.Approved[MacAddress.Parse(fields.Mac)]),
            issue is { } n ? $"Closes #{n}" : null,
            issue,
            ClosesIssue: true,
            Decision: "approved");
    }

    /// <summary>
    /// The rejecting file for <paramref name="mac"/>. The issue is named with <c>Refs #N</c>, not <c>Closes #N</c>:
    /// GitHub would close it as completed, while the gatekeeper closes a rejected machine's issue as not planned.
    /// </summary>
    public static DeviceProposal Reject(string mac, string? reason, int? issue)
    {
        // A MAC that does not parse is still validated (and refused, with the validator's message) under a placeholder name.
        var path = MacAddress.TryParse(mac, out var parsed)
            ? DeviceFileText.RejectedPath(parsed)
            : $"{InventoryReader.DevicesDirectory}/rejected-new-device.yaml";
        return new DeviceProposal(
            path,
            DeviceFileText.Rejected(mac, reason),
            $"ktizo/reject-{parsed.ToFileName()}",
            _ => PullRequestText.RejectTitle(parsed),
            set => PullRequestText.RejectBody(set.Rejected[parsed]),
            issue is { } n ? $"Refs #{n}" : null,
            issue,
            ClosesIssue: false,
            Decision: "rejected");
    }
}

/// <summary>What the validator said about a proposal: errors, or the set rendered with the file added.</summary>
public sealed record ProposalCheck(IReadOnlyList<Diagnostic> Errors, RenderedSet? Set)
{
    public bool IsValid => Errors.Count == 0 && Set is not null;
}

/// <summary>
/// What <c>ktizo approve</c>, <c>ktizo reject</c> and the gatekeeper's page share: refuse when the file
/// exists, validate the repository with the file added (the very validator CI runs), then open the pull
/// request. Nothing is sent to GitHub unless the whole repository validates.
/// </summary>
public static class DeviceProposals
{
    /// <summary>Validates <paramref name="tree"/> as it will be once <paramref name="proposal"/> is merged.</summary>
    public static ProposalCheck Validate(IFileTree tree, DeviceProposal proposal, bool fileExistsElsewhere = false)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(proposal);
        if (fileExistsElsewhere || tree.Read(proposal.Path) is not null)
        {
            return new ProposalCheck(
                [new Diagnostic(
                    "file-exists",
                    "the device file exists already: edit it (or delete it) in a pull request of your own instead",
                    new SourceLocation(proposal.Path, 0, 0))],
                null);
        }

        var result = Renderer.Render(new OverlayFileTree(tree, proposal.Path, Encoding.UTF8.GetBytes(proposal.Content)));
        return result.IsValid ? new ProposalCheck([], result.Set) : new ProposalCheck(result.Errors, null);
    }

    /// <summary>Opens the pull request adding the validated proposal.</summary>
    public static Task<OpenedPullRequest> OpenPullRequestAsync(
        IApprovalPullRequests pullRequests, DeviceProposal proposal, RenderedSet validated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pullRequests);
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(validated);
        var body = proposal.Body(validated);
        if (proposal.IssueLine is not null && !proposal.ClosesIssue)
        {
            body = body.TrimEnd() + "\n\n" + proposal.IssueLine;
        }

        return pullRequests.OpenApprovalPullRequestAsync(
            new ApprovalPullRequest(proposal.Path, proposal.Content, proposal.Title(validated), body, proposal.ClosesIssue ? proposal.Issue : null, proposal.Branch),
            cancellationToken);
    }

    /// <summary>The git commands that commit the file by hand, run in a clone of the repository.</summary>
    public static IReadOnlyList<string> GitCommands(DeviceProposal proposal, RenderedSet validated, string? clone = null)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(validated);
        var title = proposal.Title(validated);
        List<string> lines = [];
        if (clone is not null)
        {
            lines.Add($"cd {Shell.Quote(clone)}");
        }

        lines.Add($"git switch -c {Shell.Quote(proposal.Branch)}");
        lines.Add($"git add {Shell.Quote(proposal.Path)}");
        lines.Add($"git commit -m {Shell.Quote(title)}{(proposal.IssueLine is null ? string.Empty : " -m " + Shell.Quote(proposal.IssueLine))}");
        lines.Add($"git push -u origin {Shell.Quote(proposal.Branch)}");
        return lines;
    }
}

/// <summary>POSIX shell quoting for the commands printed to copy and paste.</summary>
public static class Shell
{
    public static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=' or ',' or '+' or '@')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
