namespace Ktizo.Core.Drift;

/// <summary>Where an approved machine stands against git (docs/drift.md).</summary>
public enum DriftState
{
    /// <summary>It never downloaded a config from this gatekeeper.</summary>
    NeverDownloaded,

    /// <summary>Its last download has the bytes the served commit renders for it now.</summary>
    InSync,

    /// <summary>The served commit renders other bytes for it than it last downloaded.</summary>
    Drifted,
}

public static class DriftStateNames
{
    /// <summary>The API's spelling: <c>in_sync</c>, <c>drifted</c>, <c>never_downloaded</c>.</summary>
    public static string Name(this DriftState state) => state switch
    {
        DriftState.InSync => "in_sync",
        DriftState.Drifted => "drifted",
        _ => "never_downloaded",
    };

    /// <summary>The page's spelling: <c>in sync</c>, <c>drifted</c>, <c>never downloaded</c>.</summary>
    public static string Words(this DriftState state) => state.Name().Replace('_', ' ');
}
