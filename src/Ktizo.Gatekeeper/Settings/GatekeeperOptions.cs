using Ktizo.Core.Settings;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Every setting of the gatekeeper, bound from the root of the configuration (flags, <c>KTIZO_…</c> variables,
/// appsettings.json; see <see cref="KtizoSettings"/>), completed by <see cref="GatekeeperDefaults"/> and checked
/// by <see cref="SettingsValidator"/>. Each is documented in docs/gatekeeper.md.
/// </summary>
public sealed class GatekeeperOptions
{
    /// <summary>Where to clone from: a local path (absolute once completed), or an https, ssh, git or file URL.</summary>
    public string Repository { get; set; } = string.Empty;

    /// <summary>Token for https remotes (GitHub: a fine-grained token with contents:read).</summary>
    public string? RepositoryToken { get; set; }

    /// <summary>The tracked branch: a device file on it is an approval.</summary>
    public string Branch { get; set; } = string.Empty;

    public Duration PollInterval { get; set; } = Duration.FromSeconds(30);

    /// <summary>Wall time to render every device of one commit; a commit that needs more fails as a whole (issue 15).</summary>
    public Duration RenderBudget { get; set; } = new(Core.Rendering.RenderLimits.DefaultBudget);

    /// <summary>Kestrel listen URLs, ';'-separated.</summary>
    public string Urls { get; set; } = "http://0.0.0.0:8000";

    /// <summary>How machines reach this server (for URLs it writes, such as boot.ipxe); null = from the request.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>The folder holding the local clone and the SQLite store; absolute once completed.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>GitHub webhook secret; without one every webhook call is refused.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The cluster's secrets bundle, outside git; null: one generated in the data folder (docs/secrets.md).</summary>
    public string? SecretsFile { get; set; }

    /// <summary>An age identity file: the bundle is then read from <see cref="SecretsAgeFile"/> in each commit and decrypted in memory.</summary>
    public string? AgeIdentityFile { get; set; }

    /// <summary>Where the age-encrypted bundle lives in the repository, read from the commit being rendered.</summary>
    public string SecretsAgeFile { get; set; } = "secrets/bundle.yaml.age";

    /// <summary>Bearer token for the admin calls (POST /api/v1/sync); without one they are refused.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Bearer token that may read devices (list, page, readiness detail) and nothing else; without it only the admin reads.</summary>
    public string? ViewerToken { get; set; }

    /// <summary>Requests allowed per source address per <see cref="RateLimitWindow"/>; 0 turns the limit off.</summary>
    public int RateLimitPermits { get; set; } = 300;

    public Duration RateLimitWindow { get; set; } = Duration.FromMinutes(1);

    /// <summary>How often repeat sightings held in memory are written to the store.</summary>
    public Duration StoreFlushInterval { get; set; } = Duration.FromSeconds(5);

    /// <summary>Never-approved devices not seen for this long are pruned from the store; zero turns pruning off.</summary>
    public Duration PendingRetention { get; set; } = Duration.FromDays(30);

    /// <summary>Config downloads, and commits that changed a machine's render, kept per machine (docs/drift.md).</summary>
    public int HistoryEntries { get; set; } = Store.DeviceStore.DefaultHistoryEntries;

    public IReadOnlyList<string> ListenUrls => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string ClonePath => Path.Combine(DataFolder, "repository");

    public string StorePath => Path.Combine(DataFolder, "ktizo.db");
}
