using Ktizo.Core.Validation;

namespace Ktizo.Core.Rendering;

/// <summary>
/// The outcome of validating and rendering one tree: a set only when there are no errors,
/// because a commit that fails validation is never served.
/// </summary>
public sealed record RenderResult(RenderedSet? Set, IReadOnlyList<Diagnostic> Errors, RenderStats Stats)
{
    public bool IsValid => Errors.Count == 0 && Set is not null;
}

/// <summary>How much work a render did: devices rendered anew versus reused from the previous set.</summary>
public sealed record RenderStats(int Rendered, int Reused, TimeSpan Elapsed);
