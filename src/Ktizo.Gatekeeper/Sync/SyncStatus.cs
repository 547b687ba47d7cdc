using Ktizo.Core.Validation;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>The sync loop's state as /readyz reports it. Immutable; replaced whole.</summary>
public sealed record SyncStatus
{
    public static readonly SyncStatus Initial = new();

    /// <summary>The commit being served, and since when.</summary>
    public string? ServedCommit { get; init; }

    public DateTimeOffset? ServedSince { get; init; }

    /// <summary>Where the served commit came from: "local-clone" at start, "remote" after a fetch.</summary>
    public string? ServedFrom { get; init; }

    /// <summary>The remote head seen by the last successful fetch.</summary>
    public string? RemoteHead { get; init; }

    public DateTimeOffset? LastFetchAttempt { get; init; }

    public DateTimeOffset? LastFetchSuccess { get; init; }

    /// <summary>Why the last fetch failed (cleared by a success).</summary>
    public string? LastFetchError { get; init; }

    public int ConsecutiveFetchFailures { get; init; }

    public DateTimeOffset? NextFetch { get; init; }

    /// <summary>The newest commit that failed validation, while it is still the remote head.</summary>
    public RenderFailure? FailedCommit { get; init; }

    public int Syncs { get; init; }
}

/// <summary>A commit that was not served, with every error found in it.</summary>
public sealed record RenderFailure(string Commit, DateTimeOffset Time, IReadOnlyList<Diagnostic> Errors)
{
    /// <summary>The secrets the failed render used: a changed bundle is worth rendering the same commit again.</summary>
    public string? SecretsFingerprint { get; init; }
}
