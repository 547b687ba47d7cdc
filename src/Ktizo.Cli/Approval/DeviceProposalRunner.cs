using System.Text;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core;
using Ktizo.GitHub;
using Ktizo.GitHub.Approval;

namespace Ktizo.Cli.Approval;

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
        Func<IApprovalPullRequests>? pullRequest,
        CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes(proposal.Content);
        ProposalCheck check;
        using (var source = TreeSource.Open(repository, revision))
        {
            var onDisk = revision is null ? null : System.IO.Path.Combine(repository, proposal.Path);
            check = DeviceProposals.Validate(source.Tree, proposal, onDisk is not null && File.Exists(onDisk) && pullRequest is null);
        }

        if (!check.IsValid)
        {
            DiagnosticPrinter.Print(console, check.Errors, OutputFormat.Text);
            console.Error.WriteLine(check.Errors.Count == 1 && check.Errors[0].Code == "file-exists"
                ? "nothing written"
                : $"{check.Errors.Count} error{(check.Errors.Count == 1 ? string.Empty : "s")} with {proposal.Path} added; nothing written");
            return ExitCodes.Invalid;
        }

        var set = check.Set!;
        if (pullRequest is not null)
        {
            // A GitHub failure arrives as a GitHubCallException: one line saying what GitHub answered, token scrubbed.
            var opened = await DeviceProposals.OpenPullRequestAsync(pullRequest(), proposal, set, cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine($"opened pull request #{opened.Number}: {opened.HtmlUrl}");
            console.Out.WriteLine($"  {opened.Branch} → {opened.BaseBranch}, adding {proposal.Path} (commit {opened.CommitSha[..Math.Min(12, opened.CommitSha.Length)]})");
            return ExitCodes.Ok;
        }

        AtomicFile.WriteNew(repository, proposal.Path, content);
        console.Out.WriteLine($"wrote {proposal.Path}");
        console.Out.WriteLine($"The machine is {proposal.Decision} when this file is merged into the branch the gatekeeper tracks. To propose it:");
        foreach (var line in DeviceProposals.GitCommands(proposal, set, System.IO.Path.GetFullPath(repository)))
        {
            console.Out.WriteLine($"  {line}");
        }

        return ExitCodes.Ok;
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
