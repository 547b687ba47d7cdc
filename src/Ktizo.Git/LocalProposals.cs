using Ktizo.Core;
using LibGit2Sharp;

namespace Ktizo.Git;

/// <summary>A commit written by <see cref="LocalProposals.Commit"/>: on its own branch, on top of <see cref="Base"/>.</summary>
public sealed record LocalProposal(string Branch, string Commit, string Base);

/// <summary>
/// The approval rules without GitHub (docs/rules.md): the device file as a commit on a branch of the repository the
/// gatekeeper serves from, when that repository is a folder on this machine, and the fast-forward of the tracked
/// branch for <c>action: merge</c>. Nothing is checked out and no working tree is touched: the commit is built from
/// objects, and only refs move.
/// </summary>
public sealed class LocalProposals
{
    private static readonly object WriteLock = new();
    private readonly string _path;
    private readonly string _branch;

    private LocalProposals(string path, string branch)
    {
        _path = path;
        _branch = branch;
    }

    /// <summary>
    /// The writer for <paramref name="remote"/> when it is a local path or <c>file://</c> URL holding a repository;
    /// null for a network remote (https, ssh, git): the gatekeeper only reads those.
    /// </summary>
    public static LocalProposals? For(string remote, string branch)
    {
        RemoteAddress address;
        try
        {
            address = RemoteAddress.Parse(remote, token: null);
        }
        catch (ArgumentException)
        {
            return null;
        }

        return address.LocalFolder() is { } folder && Repository.IsValid(folder) ? new LocalProposals(folder, branch) : null;
    }

    public string RepositoryPath => _path;

    /// <summary>The tracked branch's head in the repository itself (not the gatekeeper's clone); null when it has none.</summary>
    public string? Head
    {
        get
        {
            using var repository = GitTrees.OpenRepository(_path);
            return repository.Branches[_branch]?.Tip?.Sha;
        }
    }

    /// <summary>
    /// Whether a fast-forward of the tracked branch is safe: always in a bare repository; in a repository with a working
    /// tree only while another branch is checked out (moving the checked-out branch would leave its files and index
    /// behind, and the next commit made there would undo the approval).
    /// </summary>
    public bool CanFastForward
    {
        get
        {
            using var repository = GitTrees.OpenRepository(_path);
            return repository.Info.IsBare || repository.Head.CanonicalName != "refs/heads/" + _branch;
        }
    }

    /// <summary>
    /// Commits <paramref name="content"/> at <paramref name="path"/> on top of the tracked branch's head <paramref name="baseCommit"/>
    /// as the new branch <paramref name="branch"/>.
    /// </summary>
    /// <exception cref="KtizoException">The branch exists already (a proposal was made for this machine), or git failed.</exception>
    public LocalProposal Commit(string baseCommit, string path, byte[] content, string message, string branch, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(content);
        lock (WriteLock)
        {
            using var repository = GitTrees.OpenRepository(_path);
            try
            {
                var parent = GitTrees.ResolveCommit(repository, _path, baseCommit);
                var blob = repository.ObjectDatabase.CreateBlob(new MemoryStream(content));
                var tree = TreeDefinition.From(parent.Tree).Add(path, blob, Mode.NonExecutableFile);
                var signature = new Signature("Ktizo gatekeeper", "ktizo@localhost", when);
                var commit = repository.ObjectDatabase.CreateCommit(
                    signature, signature, message, repository.ObjectDatabase.CreateTree(tree), [parent], prettifyMessage: true);
                repository.Refs.Add("refs/heads/" + branch, commit.Id, $"ktizo: {FirstLine(message)}", allowOverwrite: false);
                return new LocalProposal(branch, commit.Sha, parent.Sha);
            }
            catch (NameConflictException)
            {
                throw new KtizoException($"The branch {branch} exists already in {_path}: a proposal was made for this machine before.");
            }
            catch (LibGit2SharpException e)
            {
                throw new KtizoException($"Cannot commit {path} on {branch} in {_path}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Moves the tracked branch from <see cref="LocalProposal.Base"/> to the proposal's commit; false (nothing moved) when the
    /// branch is no longer at the base (someone pushed meanwhile: the proposal stays on its branch for a person) or
    /// <see cref="CanFastForward"/> is false.
    /// </summary>
    public bool FastForward(LocalProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        lock (WriteLock)
        {
            using var repository = GitTrees.OpenRepository(_path);
            if (!(repository.Info.IsBare || repository.Head.CanonicalName != "refs/heads/" + _branch))
            {
                return false;
            }

            // Checked just before the write; libgit2 offers no compare-and-swap here, so a push landing in between would be
            // overwritten. The window is the few microseconds of the ref write (docs/rules.md says so).
            var reference = repository.Refs["refs/heads/" + _branch];
            if (reference?.TargetIdentifier != proposal.Base)
            {
                return false;
            }

            repository.Refs.UpdateTarget(reference, new ObjectId(proposal.Commit), $"ktizo: fast-forward to {proposal.Branch}");
            return true;
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
