using Ktizo.Core.Files;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// The gatekeeper's view of git: a local clone that can be read without the network and fetched
/// from the remote. <see cref="MirrorRepositorySource"/> is the real one (Ktizo.Git); tests use fakes.
/// </summary>
public interface IRepositorySource : IDisposable
{
    /// <summary>Head of the tracked branch in the local clone, without touching the network; null before the first clone.</summary>
    string? LocalHead { get; }

    /// <summary>Clones or fetches; returns the remote head. Throws on any failure (the message never holds a token).</summary>
    Task<string> FetchAsync(CancellationToken cancellationToken);

    /// <summary>The tree of a commit in the local clone. Disposed by the caller when disposable.</summary>
    IFileTree OpenTree(string commit);

    /// <summary>For each path, the commit that added it (the approval), as far as history tells.</summary>
    IReadOnlyDictionary<string, Approval> FindApprovals(string commit, IReadOnlyCollection<string> paths);

    /// <summary>The pull request a commit's subject names (merge: "Merge pull request #N …", squash: "… (#N)"), else null.</summary>
    int? PullRequestOf(string commit) => null;
}

/// <summary>The commit that added a device file: who approved the device and when.</summary>
public sealed record Approval(string Commit, DateTimeOffset Time, string Author, int? PullRequest);

/// <summary>Validation and rendering, behind a seam so tests can count or stub renders.</summary>
public interface IConfigRenderer
{
    Core.Rendering.RenderResult Render(IFileTree tree, Core.Rendering.RenderedSet? previous);

    /// <summary>The fingerprint of the secrets the next render would use; a served set with another one renders again.</summary>
    string? SecretsFingerprint => null;
}

/// <summary>
/// The core's renderer, within the gatekeeper's bounds: all cores but one (serving keeps a core during a hostile
/// render; docs/benchmarks.md, "Hostile render"), and the <see cref="Settings.GatekeeperOptions.RenderBudget"/>;
/// every config checked against the Talos config schema of the cluster's talosVersion (a commit that fails it is
/// not served, like any other error); with the cluster's secrets bundle (<see cref="ClusterSecretsSource"/>).
/// </summary>
public sealed class CoreRenderer(Core.Rendering.RenderLimits limits, Core.Rendering.IConfigSchemas schemas, ClusterSecretsSource secrets) : IConfigRenderer
{
    public CoreRenderer(Settings.GatekeeperOptions options, Core.Rendering.IConfigSchemas schemas, ClusterSecretsSource secrets)
        : this(new Core.Rendering.RenderLimits { Budget = options.RenderBudget }, schemas, secrets)
    {
    }

    public string? SecretsFingerprint
    {
        get
        {
            if (secrets.FromGit)
            {
                return secrets.Fingerprint; // the bundle changes only with a commit, which renders anyway
            }

            try
            {
                return secrets.Current().Fingerprint;
            }
            catch (Core.KtizoException e)
            {
                // Not the last good fingerprint: a bundle broken between commits must still make the sync render and
                // report it (the last good set stays served). One value per problem, so each is reported once.
                return "unusable-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(e.Message)))[..16];
            }
        }
    }

    public Core.Rendering.RenderResult Render(IFileTree tree, Core.Rendering.RenderedSet? previous)
    {
        Core.ClusterSecrets.SecretsBundle bundle;
        try
        {
            bundle = secrets.Current(tree);
        }
        catch (Core.KtizoException e)
        {
            // Nothing is rendered without the real secrets: never placeholders on a machine.
            return new Core.Rendering.RenderResult(
                null,
                [new Core.Validation.Diagnostic("secrets-bundle", e.Message, new Core.Validation.SourceLocation(secrets.Path, 0, 0))],
                new Core.Rendering.RenderStats(0, 0, TimeSpan.Zero));
        }

        return Core.Rendering.Renderer.Render(tree, previous, schemas, limits, bundle);
    }
}
