using Ktizo.Core;

namespace Ktizo.Git;

/// <summary>
/// Bringing the local clone up to date failed (remote unreachable, authentication refused, branch missing,
/// local folder unusable). The clone is left as it was, so the caller keeps serving <see cref="RepositoryMirror.LocalHead"/>.
/// The message never contains the access token.
/// </summary>
public sealed class GitSyncException : KtizoException
{
    public GitSyncException(string message)
        : base(message)
    {
    }

    public GitSyncException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
