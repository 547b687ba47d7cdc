using Ktizo.Core.Files;

namespace Ktizo.Core.Tests.Validation;

/// <summary>
/// One bad input and the one error it must produce: code, file, line, column and a part of the message.
/// The tree is the repository's own example with <see cref="Change"/> applied.
/// </summary>
public sealed record ValidationCase(
    string Name,
    Action<InMemoryFileTree> Change,
    string Code,
    string File,
    int Line,
    int Column,
    string MessagePart)
{
    public override string ToString() => Name;
}
