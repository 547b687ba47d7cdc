namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Every setting of the gatekeeper, parsed and validated. Built by <see cref="GatekeeperSettings.Read"/>
/// from flags, <c>KTIZO_…</c> environment variables and the <c>Ktizo</c> section of appsettings.json
/// (in that order of precedence). Each is documented in docs/gatekeeper.md.
/// </summary>
public sealed class GatekeeperOptions
{
    /// <summary>Where to clone from: a local path, or an https, ssh, git or file URL.</summary>
    public required string Repository { get; init; }

    /// <summary>Token for https remotes (GitHub: a fine-grained token with contents:read).</summary>
    public string? RepositoryToken { get; init; }

    /// <summary>The tracked branch: a device file on it is an approval.</summary>
    public required string Branch { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Kestrel listen URLs.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://0.0.0.0:8000"];

    /// <summary>How machines reach this server (for URLs it writes, such as boot.ipxe); null = from the request.</summary>
    public Uri? PublicBaseUrl { get; init; }

    /// <summary>Absolute path of the folder holding the local clone and the SQLite store.</summary>
    public required string DataFolder { get; init; }

    /// <summary>GitHub webhook secret; without one every webhook call is refused.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Bearer token for the admin calls (POST /api/v1/sync); without one they are refused.</summary>
    public string? AdminToken { get; init; }

    /// <summary>Requests allowed per source address per <see cref="RateLimitWindow"/>; 0 turns the limit off.</summary>
    public int RateLimitPermits { get; init; } = 300;

    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often repeat sightings held in memory are written to the store.</summary>
    public TimeSpan StoreFlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string ClonePath => Path.Combine(DataFolder, "repository");

    public string StorePath => Path.Combine(DataFolder, "ktizo.db");
}
