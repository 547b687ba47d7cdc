using Xunit;

namespace Ktizo.Testing;

/// <summary>A fact that needs the official Talos material: skipped, with the reason, when it is absent.</summary>
public sealed class TalosReferenceFactAttribute : FactAttribute
{
    public TalosReferenceFactAttribute()
    {
        if (!TalosReference.Available)
        {
            Skip = TalosReference.SkipReason;
        }
    }
}

/// <summary>A theory that needs the official Talos material: skipped, with the reason, when it is absent.</summary>
public sealed class TalosReferenceTheoryAttribute : TheoryAttribute
{
    public TalosReferenceTheoryAttribute()
    {
        if (!TalosReference.Available)
        {
            Skip = TalosReference.SkipReason;
        }
    }
}
