namespace Ktizo.Core.Validation;

/// <summary>Where a problem is: repository-relative file, 1-based line and column (0 when not known).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>
/// One problem found in the inventory or templates. <see cref="Code"/> is stable: scripts and
/// documentation (docs/inventory.md) refer to it.
/// </summary>
public sealed record Diagnostic(string Code, string Message, SourceLocation Location)
{
    public override string ToString() => $"{Location}: error {Code}: {Message}";
}
