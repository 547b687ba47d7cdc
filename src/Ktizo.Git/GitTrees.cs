using Ktizo.Core;
using LibGit2Sharp;

namespace Ktizo.Git;

/// <summary>Opens a commit of a repository on disk (a working clone, its <c>.git</c> folder, or a bare repository).</summary>
public static class GitTrees
{
    /// <summary>
    /// The tree of the commit <paramref name="revision"/> names: a branch, tag, full or short sha, <c>HEAD</c>,
    /// <c>origin/main</c>, or anything else <c>git rev-parse</c> accepts that leads to a commit.
    /// </summary>
    /// <exception cref="KtizoException">The path is not a repository, or the revision names no commit.</exception>
    public static GitCommitTree Open(string repositoryPath, string revision)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        ArgumentNullException.ThrowIfNull(revision);

        var repository = OpenRepository(repositoryPath);
        try
        {
            var commit = ResolveCommit(repository, repositoryPath, revision);
            return new GitCommitTree(repository, commit);
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    internal static Repository OpenRepository(string repositoryPath)
    {
        if (string.IsNullOrWhiteSpace(repositoryPath) || !Repository.IsValid(repositoryPath))
        {
            throw new KtizoException($"'{repositoryPath}' is not a git repository.");
        }

        try
        {
            return new Repository(repositoryPath);
        }
        catch (LibGit2SharpException ex)
        {
            throw new KtizoException($"Cannot open the git repository '{repositoryPath}': {ex.Message}", ex);
        }
    }

    internal static LibGit2Sharp.Commit ResolveCommit(Repository repository, string repositoryPath, string revision)
    {
        if (string.IsNullOrWhiteSpace(revision))
        {
            throw new KtizoException($"No revision given for the git repository '{repositoryPath}'.");
        }

        GitObject? target;
        try
        {
            target = repository.Lookup(revision);
        }
        catch (AmbiguousSpecificationException)
        {
            throw new KtizoException($"The revision '{revision}' is ambiguous in '{repositoryPath}': give more characters of the sha.");
        }
        catch (LibGit2SharpException ex)
        {
            // Malformed specs (e.g. "main@{") and unborn HEADs land here rather than returning null.
            throw new KtizoException($"Unknown revision '{revision}' in '{repositoryPath}': {ex.Message}", ex);
        }

        if (target is null)
        {
            throw new KtizoException($"Unknown revision '{revision}' in '{repositoryPath}'.");
        }

        // Annotated tags peel to their commit; a revision naming a tree or a file is a mistake, not a commit.
        var commit = target switch
        {
            LibGit2Sharp.Commit c => c,
            TagAnnotation => TryPeel(target),
            _ => null,
        };
        return commit ?? throw new KtizoException(
            $"The revision '{revision}' in '{repositoryPath}' names a {target.GetType().Name.ToLowerInvariant()}, not a commit.");
    }

    private static LibGit2Sharp.Commit? TryPeel(GitObject target)
    {
        try
        {
            return target.Peel<LibGit2Sharp.Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null; // a tag of a tree or a blob
        }
    }
}
