namespace Ktizo.Core.Drift;

/// <summary>
/// One part of a machine config that Talos's <c>CanApplyImmediate</c> leaves out of its comparison, so a change to it
/// is applied to the running machine: a field path as <see cref="ApplyAdvice.Changed"/> names it (<c>machine.sysctls</c>),
/// or <see cref="OtherDocuments"/> for every document besides the v1alpha1 one.
/// </summary>
/// <param name="Path">The part, as Ktizo names it.</param>
/// <param name="Source">Where Talos's source says so: file:line at the tag read.</param>
public sealed record LiveField(string Path, string Source)
{
    /// <summary>Stands for every document other than the v1alpha1 machine config (LinkConfig, UserVolumeConfig, …).</summary>
    public const string OtherDocuments = "document *";

    /// <summary>True when <paramref name="part"/> is this entry's part.</summary>
    public bool Covers(string part) =>
        Path == OtherDocuments ? part.StartsWith("document ", StringComparison.Ordinal) : Path == part;
}
