using Ktizo.Core;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ktizo.Git;

/// <summary>
/// The gatekeeper's local clone of one branch. The clone is bare (nothing is checked out: commits are read
/// from the object database) and the branch lives in <c>refs/remotes/origin/&lt;branch&gt;</c>, which only a
/// completed fetch moves. So after a restart, or while the remote is down, <see cref="LocalHead"/> and
/// <see cref="OpenTree"/> keep answering with the last commit that was fetched.
/// </summary>
/// <remarks>
/// Transports: paths, <c>file://</c>, <c>git://</c> and http(s) run inside libgit2. ssh runs the system
/// OpenSSH client: the bundled libgit2 is built with its exec-based ssh transport (no libssh2), which honours
/// <c>GIT_SSH_COMMAND</c>, <c>GIT_SSH</c> and <c>core.sshCommand</c> the way git does; see <see cref="MirrorOptions.SshCommand"/>.
/// One fetch runs at a time; trees and approval lookups use their own repository handles and may run meanwhile.
/// </remarks>
public sealed partial class RepositoryMirror : IDisposable
{
    private const string RemoteName = "origin";
    private const string DefaultSshCommand = "ssh -o BatchMode=yes";
    internal const string SshWrapperName = "ktizo-ssh";

    private readonly MirrorOptions _options;
    private readonly RemoteAddress _remote;
    private readonly ILogger _logger;
    private readonly string _trackingRef;
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private readonly ApprovalFinder _approvals = new();
    private volatile bool _disposed;

    public RepositoryMirror(MirrorOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Branch) || !Reference.IsValidName("refs/heads/" + options.Branch))
        {
            throw new KtizoException($"'{options.Branch}' is not a valid branch name.");
        }

        if (string.IsNullOrWhiteSpace(options.LocalPath))
        {
            throw new KtizoException("The local path of the git clone is empty.");
        }

        try
        {
            _remote = RemoteAddress.Parse(options.Remote, options.Token);
        }
        catch (ArgumentException ex)
        {
            throw new KtizoException(ex.Message);
        }

        _options = options with { LocalPath = Path.GetFullPath(options.LocalPath) };
        _logger = logger ?? NullLogger.Instance;
        _trackingRef = $"refs/remotes/{RemoteName}/{options.Branch}";

        if (_remote.Token is not null && _remote.Kind != RemoteKind.Http)
        {
            LogTokenUnused(_logger, _remote.Url);
        }
        else if (_remote.Token is not null && _remote.Url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !IsLoopback(_remote.Url))
        {
            LogTokenInClear(_logger, _remote.Url);
        }
    }

    /// <summary>The remote as stored in the clone and written to logs: without any token.</summary>
    public string Remote => _remote.Url;

    public string Branch => _options.Branch;

    /// <summary>The full path of the local clone.</summary>
    public string LocalPath => _options.LocalPath;

    /// <summary>Sha of the tracked branch in the local clone, read without touching the network; null before the first successful fetch.</summary>
    public string? LocalHead
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!Repository.IsValid(LocalPath))
            {
                return null;
            }

            using var repository = new Repository(LocalPath);
            return ReadTrackingRef(repository);
        }
    }

    /// <summary>
    /// Brings the local clone up to date: creates it on first use, asks the remote where the branch is, downloads
    /// what is missing and moves the local branch. Returns the branch's head sha.
    /// </summary>
    /// <exception cref="GitSyncException">Anything went wrong; the clone is unchanged and the message holds no token.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; libgit2 checks between transferred objects, so a stalled connect is not interrupted.</exception>
    public async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _fetchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // libgit2 blocks; keep it off the caller's thread (often a request or the sync loop).
            return await Task.Run(() => Fetch(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    /// <summary>A commit of the local clone as a file tree; works with the remote unreachable.</summary>
    /// <exception cref="KtizoException">There is no clone yet, or it has no such commit.</exception>
    public GitCommitTree OpenTree(string commitSha)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Repository.IsValid(LocalPath))
        {
            throw new KtizoException($"There is no local clone at '{LocalPath}' yet: the branch '{Branch}' was never fetched from {Remote}.");
        }

        return GitTrees.Open(LocalPath, commitSha);
    }

    /// <summary>
    /// For each path present in <paramref name="commitSha"/>, the commit that added it as it is now: walking the
    /// first-parent line back from <paramref name="commitSha"/>, the oldest commit of the unbroken stretch in which
    /// the path exists. A file deleted and added again reports the re-adding commit; edits after the add do not count.
    /// Paths absent from the commit are left out of the result.
    /// </summary>
    /// <remarks>
    /// First-parent, because that is the branch's own history: a merged pull request shows up as its merge commit
    /// (the moment of approval, carrying the PR number), not as the commit on the feature branch.
    /// One walk serves all paths (a tree diff per commit, stopping once every path is found), and results are cached
    /// by commit so that the next call, from a newer head, only walks the commits added since.
    /// </remarks>
    public IReadOnlyDictionary<string, ApprovalRecord> FindApprovals(string commitSha, IReadOnlyCollection<string> paths)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(paths);
        using var repository = GitTrees.OpenRepository(LocalPath);
        var commit = GitTrees.ResolveCommit(repository, LocalPath, commitSha);
        return _approvals.Find(repository, commit, paths);
    }

    /// <summary>The pull request <paramref name="commitSha"/>'s subject names ("Merge pull request #12 …", "… (#12)"), else null.</summary>
    public int? PullRequestOf(string commitSha)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var repository = GitTrees.OpenRepository(LocalPath);
        return ApprovalFinder.PullRequestNumber(GitTrees.ResolveCommit(repository, LocalPath, commitSha).Message);
    }

    /// <summary>Commits diffed by the last <see cref="FindApprovals"/> call.</summary>
    internal int LastApprovalWalkLength => _approvals.LastWalkLength;

    /// <summary>Marks the mirror closed. The clone stays on disk; a fetch already running finishes.</summary>
    public void Dispose()
    {
        // The semaphore is not disposed: a running fetch still releases it, and SemaphoreSlim holds no OS handle here.
        _disposed = true;
    }

    private string Fetch(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var repository = OpenOrCreateClone();
        try
        {
            ConfigureRemote(repository);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LibGit2SharpException)
        {
            throw new GitSyncException($"Cannot configure the local clone at '{LocalPath}': {ex.Message}", ex);
        }

        var before = ReadTrackingRef(repository);

        // libgit2 reports a missing folder as "unsupported URL protocol"; say what is wrong instead.
        if (_remote.LocalFolder() is { } folder && !Directory.Exists(folder))
        {
            throw new GitSyncException($"The repository folder '{folder}' does not exist. The local clone keeps its last fetched commit.");
        }

        try
        {
            var remoteHead = FindRemoteHead(repository);
            if (remoteHead == before)
            {
                LogUpToDate(_logger, Branch, Remote, remoteHead);
                return remoteHead;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var options = new FetchOptions
            {
                CredentialsProvider = Credentials(),
                TagFetchMode = TagFetchMode.None,
                // Returning false makes libgit2 abort the transfer; the clone keeps what it had.
                OnTransferProgress = _ => !cancellationToken.IsCancellationRequested,
                OnProgress = _ => !cancellationToken.IsCancellationRequested,
            };
            // "+" accepts a force-pushed branch: the remote is the source of truth, and the rewrite is logged below.
            Commands.Fetch(repository, RemoteName, [$"+refs/heads/{Branch}:{_trackingRef}"], options, logMessage: null);

            var after = ReadTrackingRef(repository)
                ?? throw new GitSyncException($"Fetching '{Branch}' from {Remote} completed but left no branch in the local clone.");
            if (before is not null && before != after && !IsAncestor(repository, before, after))
            {
                LogRewritten(_logger, Branch, Remote, before, after);
            }

            LogFetched(_logger, Branch, Remote, before, after);
            return after;
        }
        catch (UserCancelledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (LibGit2SharpException ex)
        {
            throw Failure($"Fetching branch '{Branch}' from {Remote} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Asks the remote where the branch is before fetching. This is what tells "the branch is gone" apart from
    /// "nothing new" (a fetch of a missing branch succeeds silently and would leave a stale head looking fresh),
    /// and it spares the fetch negotiation on the common poll where nothing changed.
    /// </summary>
    private string FindRemoteHead(Repository repository)
    {
        var remote = repository.Network.Remotes[RemoteName];
        var wanted = "refs/heads/" + Branch;
        var credentials = Credentials();
        // The overload taking credentials refuses null.
        var references = credentials is null
            ? repository.Network.ListReferences(remote)
            : repository.Network.ListReferences(remote, credentials);
        var head = references
            .FirstOrDefault(r => r.CanonicalName == wanted);
        return head?.TargetIdentifier
            ?? throw new GitSyncException($"The remote {Remote} has no branch '{Branch}'. The local clone keeps its last fetched commit.");
    }

    private Repository OpenOrCreateClone()
    {
        try
        {
            if (Repository.IsValid(LocalPath))
            {
                return new Repository(LocalPath);
            }

            if (Directory.Exists(LocalPath) && Directory.EnumerateFileSystemEntries(LocalPath).Any())
            {
                // Never delete what we did not create: the folder may be a wrong setting pointing somewhere precious.
                throw new GitSyncException($"The local clone folder '{LocalPath}' is not empty and is not a git repository; empty it or choose another folder.");
            }

            Directory.CreateDirectory(LocalPath);
            Repository.Init(LocalPath, isBare: true);
            LogCreated(_logger, LocalPath);
            return new Repository(LocalPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LibGit2SharpException)
        {
            throw new GitSyncException($"Cannot create the local clone at '{LocalPath}': {ex.Message}", ex);
        }
    }

    /// <summary>Writes the remote on every fetch, so a changed setting (or a URL from an older version) takes effect and never keeps a secret.</summary>
    private void ConfigureRemote(Repository repository)
    {
        var refSpec = $"+refs/heads/{Branch}:{_trackingRef}";
        var remote = repository.Network.Remotes[RemoteName];
        if (remote is null)
        {
            repository.Network.Remotes.Add(RemoteName, _remote.Url, refSpec);
        }
        else if (remote.Url != _remote.Url || remote.FetchRefSpecs.Select(s => s.Specification).SingleOrDefault() != refSpec)
        {
            repository.Network.Remotes.Update(RemoteName, r =>
            {
                r.Url = _remote.Url;
                r.FetchRefSpecs = [refSpec];
            });
        }

        var sshCommand = _remote.Kind == RemoteKind.Ssh ? SshProgram() : null;
        var current = repository.Config.Get<string>("core.sshCommand", ConfigurationLevel.Local)?.Value;
        if (sshCommand != current)
        {
            if (sshCommand is null)
            {
                repository.Config.Unset("core.sshCommand", ConfigurationLevel.Local);
            }
            else
            {
                repository.Config.Set("core.sshCommand", sshCommand, ConfigurationLevel.Local);
            }
        }
    }

    /// <summary>
    /// What goes into <c>core.sshCommand</c>. The bundled libgit2 runs that setting as one program path (unlike git, which
    /// hands it to a shell, and unlike its own handling of <c>GIT_SSH_COMMAND</c>, which it splits), so a command with
    /// arguments is written into a small wrapper script inside the clone folder and the setting points at the script.
    /// </summary>
    private string SshProgram()
    {
        var command = (_options.SshCommand ?? DefaultSshCommand).Trim();
        if (!command.Any(char.IsWhiteSpace) || OperatingSystem.IsWindows())
        {
            return command;
        }

        var wrapper = Path.Combine(LocalPath, SshWrapperName);
        var script = "#!/bin/sh\n"
            + "# Written by Ktizo from the configured ssh command: libgit2 runs core.sshCommand as a program, not a shell line.\n"
            + $"exec {command} \"$@\"\n";
        if (!File.Exists(wrapper) || File.ReadAllText(wrapper) != script)
        {
            File.WriteAllText(wrapper, script);
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return wrapper;
    }

    private CredentialsHandler? Credentials()
    {
        if (_remote.Token is null)
        {
            return null;
        }

        var token = _remote.Token;
        var asked = 0;
        return (url, usernameFromUrl, types) =>
        {
            // libgit2 asks again after a 401; answering with the same token would only repeat the refusal.
            if (Interlocked.Increment(ref asked) > 1)
            {
                throw new LibGit2SharpException("the remote refused the token");
            }

            return new UsernamePasswordCredentials
            {
                Username = string.IsNullOrEmpty(usernameFromUrl) ? "x-access-token" : usernameFromUrl,
                Password = token,
            };
        };
    }

    private GitSyncException Failure(string message, Exception inner)
    {
        var safe = _remote.Scrub(message);
        // An inner exception's message reaches logs through ToString(); keep it only if it holds no secret.
        return _remote.Contains(inner.ToString()) ? new GitSyncException(safe) : new GitSyncException(safe, inner);
    }

    private string? ReadTrackingRef(Repository repository) =>
        repository.Refs[_trackingRef]?.ResolveToDirectReference()?.TargetIdentifier;

    private static bool IsAncestor(Repository repository, string ancestor, string descendant)
    {
        var a = repository.Lookup<LibGit2Sharp.Commit>(ancestor);
        var d = repository.Lookup<LibGit2Sharp.Commit>(descendant);
        return a is not null && d is not null && repository.ObjectDatabase.FindMergeBase(a, d)?.Sha == a.Sha;
    }

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Created an empty local clone at {LocalPath}")]
    private static partial void LogCreated(ILogger logger, string localPath);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Branch {Branch} of {Remote} is unchanged at {Commit}")]
    private static partial void LogUpToDate(ILogger logger, string branch, string remote, string commit);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Fetched branch {Branch} from {Remote}: {Before} -> {Commit}")]
    private static partial void LogFetched(ILogger logger, string branch, string remote, string? before, string commit);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Branch {Branch} of {Remote} was rewritten: {Before} is not an ancestor of {Commit}")]
    private static partial void LogRewritten(ILogger logger, string branch, string remote, string before, string commit);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "A token is configured but the remote {Remote} is not http(s); it is not used")]
    private static partial void LogTokenUnused(ILogger logger, string remote);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The token for {Remote} is sent over plain http")]
    private static partial void LogTokenInClear(ILogger logger, string remote);
}
