using System.Text;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.GitHub;

namespace Ktizo.Cli.Approval;

/// <summary>One device file that <c>approve</c> or <c>reject</c> proposes to add.</summary>
/// <param name="Path">repository-relative path of the new file</param>
/// <param name="Content">its exact text (<see cref="Core.Inventory.DeviceFileText"/>)</param>
/// <param name="Branch">branch name for <c>--pr</c> and for the printed git commands</param>
/// <param name="Title">pull-request title and commit subject, from the validated set</param>
/// <param name="Body">pull-request body without the issue line, from the validated set</param>
/// <param name="IssueLine">how the pending issue is named in the body or commit (<c>Closes #12</c>); null without --issue</param>
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
    string Decision);

/// <summary>
/// What <c>approve</c> and <c>reject</c> share: refuse when the file exists, validate the repository with
/// the file added (the very validator CI runs), then write the file atomically or open the pull request.
/// Nothing is written and nothing is sent to GitHub unless the whole repository validates.
/// </summary>
public static class DeviceProposalRunner
{
    public static async Task<int> RunAsync(
        CliConsole console,
        DeviceProposal proposal,
        string repository,
        string? revision,
        Func<GitHubConnection>? pullRequest,
        CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes(proposal.Content);
        RenderResult result;
        using (var source = TreeSource.Open(repository, revision))
        {
            var onDisk = revision is null ? null : System.IO.Path.Combine(repository, proposal.Path);
            if (source.Tree.Read(proposal.Path) is not null || (onDisk is not null && File.Exists(onDisk) && pullRequest is null))
            {
                return Refuse(console, new Diagnostic(
                    "file-exists",
                    "the device file exists already: edit it (or delete it) in a pull request of your own instead",
                    new SourceLocation(proposal.Path, 0, 0)));
            }

            result = Renderer.Render(new OverlayFileTree(source.Tree, proposal.Path, content));
        }

        if (!result.IsValid)
        {
            DiagnosticPrinter.Print(console, result.Errors, OutputFormat.Text);
            console.Error.WriteLine($"{result.Errors.Count} error{(result.Errors.Count == 1 ? string.Empty : "s")} with {proposal.Path} added; nothing written");
            return ExitCodes.Invalid;
        }

        var set = result.Set!;
        var title = proposal.Title(set);
        if (pullRequest is not null)
        {
            var github = pullRequest();
            var body = proposal.Body(set);
            if (proposal.IssueLine is not null && !proposal.ClosesIssue)
            {
                body = body.TrimEnd() + "\n\n" + proposal.IssueLine;
            }

            var opened = await github.CallAsync(() => github.PullRequests.OpenApprovalPullRequestAsync(
                new ApprovalPullRequest(proposal.Path, proposal.Content, title, body, proposal.ClosesIssue ? proposal.Issue : null, proposal.Branch),
                cancellationToken)).ConfigureAwait(false);
            console.Out.WriteLine($"opened pull request #{opened.Number}: {opened.HtmlUrl}");
            console.Out.WriteLine($"  {opened.Branch} → {opened.BaseBranch}, adding {proposal.Path} (commit {opened.CommitSha[..Math.Min(12, opened.CommitSha.Length)]})");
            return ExitCodes.Ok;
        }

        AtomicFile.WriteNew(repository, proposal.Path, content);
        console.Out.WriteLine($"wrote {proposal.Path}");
        console.Out.WriteLine($"The machine is {proposal.Decision} when this file is merged into the branch the gatekeeper tracks. To propose it:");
        console.Out.WriteLine($"  cd {Shell.Quote(System.IO.Path.GetFullPath(repository))}");
        console.Out.WriteLine($"  git switch -c {Shell.Quote(proposal.Branch)}");
        console.Out.WriteLine($"  git add {Shell.Quote(proposal.Path)}");
        console.Out.WriteLine($"  git commit -m {Shell.Quote(title)}{(proposal.IssueLine is null ? string.Empty : " -m " + Shell.Quote(proposal.IssueLine))}");
        console.Out.WriteLine($"  git push -u origin {Shell.Quote(proposal.Branch)}");
        return ExitCodes.Ok;
    }

    private static int Refuse(CliConsole console, Diagnostic error)
    {
        DiagnosticPrinter.Print(console, [error], OutputFormat.Text);
        console.Error.WriteLine("nothing written");
        return ExitCodes.Invalid;
    }
}

/// <summary>Writes a file that must not exist yet: whole or not at all, never over another.</summary>
public static class AtomicFile
{
    public static string WriteNew(string root, string relativePath, byte[] content)
    {
        var rootFull = System.IO.Path.GetFullPath(root);
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(rootFull, relativePath));
        if (!full.StartsWith(rootFull.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new KtizoException($"{relativePath} is outside {root}.");
        }

        var directory = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // Same folder, dot-prefixed: the inventory reader skips it, and the rename cannot cross file systems.
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(full))
            {
                throw new KtizoException($"{relativePath} exists already; nothing written.");
            }

            File.Move(temporary, full, overwrite: false);
            return full;
        }
        finally
        {
            File.Delete(temporary);
        }
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
