using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Validation;

/// <summary>Collects diagnostics while reading; every check adds to it instead of stopping, so one run reports every error.</summary>
public sealed class Diagnostics
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public int Count => _items.Count;

    public void Add(string code, string message, SourceLocation location) => _items.Add(new Diagnostic(code, message, location));

    public void Add(string code, string message, string file, YamlNode? node) => Add(code, message, At(file, node));

    public void AddRange(IEnumerable<Diagnostic> items) => _items.AddRange(items);

    public static SourceLocation At(string file, YamlNode? node) =>
        node is null ? new SourceLocation(file, 0, 0) : new SourceLocation(file, (int)node.Start.Line, (int)node.Start.Column);
}
