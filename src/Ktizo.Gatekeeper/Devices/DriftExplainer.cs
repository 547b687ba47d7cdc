using Ktizo.Core;
using Ktizo.Core.Drift;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Sync;

namespace Ktizo.Gatekeeper.Devices;

/// <summary>
/// The redacted diff between what a machine got and what git renders for it now (docs/drift.md). The served bytes
/// are never stored (they hold the cluster's secrets): the downloaded commit is rendered again from the local clone,
/// and its bytes are shown only when their hash is the one recorded at the download. Renders run one at a time,
/// and the last commit rendered is kept, so a page of drifted machines from one commit costs one render.
/// </summary>
public sealed class DriftExplainer(DeviceDirectory directory, ServingState state, IRepositorySource source, IConfigRenderer renderer)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private (string Commit, string? Secrets, RenderResult Result)? _last;

    /// <summary>Null when neither the store nor the served commit knows <paramref name="mac"/>.</summary>
    public async Task<DriftReport?> ExplainAsync(MacAddress mac, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        var reading = await directory.GetAsync(mac, cancellationToken).ConfigureAwait(false);
        if (reading is null)
        {
            return null;
        }

        var drift = reading.Drift;
        if (snapshot is null || drift is null || drift.State != DriftState.Drifted || !snapshot.Set.Approved.TryGetValue(mac, out var current))
        {
            return new DriftReport(reading, snapshot?.Commit, null, null, null, null);
        }

        var served = drift.LastServed!;
        var (old, problem) = await RenderServedAsync(served.Commit, snapshot, cancellationToken).ConfigureAwait(false);
        if (old is null || !old.Approved.TryGetValue(mac, out var then))
        {
            return new DriftReport(reading, snapshot.Commit, null, null, null,
                problem ?? $"commit {Short(served.Commit)} renders no config for {mac} any more, so what the machine got cannot be shown");
        }

        if (!string.Equals(then.Sha256, served.ConfigHash, StringComparison.Ordinal))
        {
            return new DriftReport(reading, snapshot.Commit, null, null, null,
                $"commit {Short(served.Commit)} renders other bytes today than the machine got (hash {Short(then.Sha256)}, not {Short(served.ConfigHash)}): "
                + "the secrets bundle or Ktizo's renderer changed since, so no diff is shown rather than a wrong one");
        }

        var redaction = SetDiff.RedactionFor(old, snapshot.Set);
        var name = mac.ToFileName() + ".yaml";
        var diff = SetDiff.Unified(
            $"a/{name} (served from {Short(served.Commit)})", $"b/{name} (git at {Short(snapshot.Commit)})",
            Secrets.Redact(then.Yaml, redaction), Secrets.Redact(current.Yaml, redaction));
        // The machine runs the Talos it was served for, so that version's rule decides what it applies live.
        var advice = ApplyModeAdvice.Advise(
            System.Text.Encoding.UTF8.GetString(then.Yaml), System.Text.Encoding.UTF8.GetString(current.Yaml), old.Cluster.TalosVersion);
        return new DriftReport(reading, snapshot.Commit, diff, redaction.Name, advice, null);
    }

    private async Task<(RenderedSet? Set, string? Problem)> RenderServedAsync(string commit, ServingSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (commit == snapshot.Commit)
        {
            return (snapshot.Set, null);
        }

        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var secrets = renderer.SecretsFingerprint;
            if (_last is not { } last || last.Commit != commit || last.Secrets != secrets)
            {
                // The served set as the base: devices whose inputs did not change since are reused, not rendered again.
                var result = await Task.Run(() => Render(commit, snapshot.Set), cancellationToken).ConfigureAwait(false);
                _last = last = (commit, secrets, result);
            }

            return last.Result.IsValid
                ? (last.Result.Set, null)
                : (null, $"commit {Short(commit)} does not render any more ({last.Result.Errors.Count} errors, the first: {last.Result.Errors[0].Message})");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private RenderResult Render(string commit, RenderedSet basis)
    {
        try
        {
            var tree = source.OpenTree(commit);
            try
            {
                return renderer.Render(tree, basis);
            }
            finally
            {
                (tree as IDisposable)?.Dispose();
            }
        }
        catch (KtizoException e)
        {
            return new RenderResult(null, [new Core.Validation.Diagnostic("git", e.Message, new Core.Validation.SourceLocation(string.Empty, 0, 0))], new RenderStats(0, 0, TimeSpan.Zero));
        }
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}

/// <summary>What <see cref="DriftExplainer"/> found for one machine.</summary>
/// <param name="Diff">The redacted unified diff, served (a/) to git now (b/); null unless drifted and shown.</param>
/// <param name="RedactedAs">Whose redaction list the diff went through.</param>
/// <param name="Advice">The apply mode the change calls for, with the parts that changed.</param>
/// <param name="Unavailable">Why a drifted machine's diff is not shown.</param>
public sealed record DriftReport(DeviceReading Device, string? Commit, string? Diff, string? RedactedAs, ApplyAdvice? Advice, string? Unavailable);
