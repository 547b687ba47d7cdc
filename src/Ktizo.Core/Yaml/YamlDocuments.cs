using Ktizo.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>
/// Parses Talos configs and patches into YamlDotNet documents, refusing what Talos configs never
/// need and what makes YAML dangerous to process: anchors and aliases (alias bombs), nesting deeper
/// than <see cref="MaxDepth"/>, and non-scalar mapping keys.
/// </summary>
public static class YamlDocuments
{
    /// <summary>Deepest nesting of mappings and sequences accepted; the root collection is level 1.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Parses every document of <paramref name="text"/>. Empty documents (nothing, or only
    /// comments, or a lone <c>null</c>) yield nothing. Never throws for bad input: problems come back
    /// in <paramref name="errors"/> (codes <c>yaml-syntax</c>, <c>yaml-alias</c>, <c>yaml-too-deep</c>,
    /// <c>yaml-complex-key</c>) located in <paramref name="file"/>, and then no document is returned.
    /// </summary>
    public static IReadOnlyList<YamlDocument> Parse(string text, string file, out IReadOnlyList<Diagnostic> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);

        var stream = new YamlStream();
        try
        {
            stream.Load(new GuardedParser(new Parser(new StringReader(text)), file));
        }
        catch (RefusedException refused)
        {
            errors = [refused.Diagnostic];
            return [];
        }
        catch (YamlException e)
        {
            errors = [SyntaxError(text, file, e)];
            return [];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            // YamlDotNet reports a few malformed inputs (bad escapes, bad tags) this way.
            errors = [new Diagnostic("yaml-syntax", e.Message, new SourceLocation(file, 0, 0))];
            return [];
        }

        var documents = new List<YamlDocument>(stream.Documents.Count);
        foreach (var document in stream.Documents)
        {
            if (!YamlScalars.IsNull(document.RootNode))
            {
                documents.Add(document);
            }
        }

        errors = [];
        return documents;
    }

    private static Diagnostic SyntaxError(string text, string file, YamlException e)
    {
        var line = (int)e.Start.Line;
        var column = (int)e.Start.Column;
        var message = e.Message;

        if (message.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            message = "duplicate key " + message["Duplicate key".Length..].Trim() + ": a key may appear only once in a mapping";
        }
        else if (message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            // YamlDotNet reports where the enclosing block starts; the user needs the tab itself.
            var (tabLine, tabColumn) = FirstIndentingTab(text, line);
            if (tabLine > 0)
            {
                (line, column) = (tabLine, tabColumn);
            }

            message += " YAML indentation must use spaces, not tabs.";
        }

        return new Diagnostic("yaml-syntax", message, new SourceLocation(file, line, column));
    }

    private static (int Line, int Column) FirstIndentingTab(string text, int fromLine)
    {
        var line = 1;
        var atLineStart = true;
        var column = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            column++;
            if (c == '\n')
            {
                line++;
                column = 0;
                atLineStart = true;
                continue;
            }

            if (atLineStart && c == '\t' && line >= fromLine)
            {
                return (line, column);
            }

            if (c != ' ' && c != '\t')
            {
                atLineStart = false;
            }
        }

        return (0, 0);
    }

    private sealed class RefusedException(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic { get; } = diagnostic;
    }

    /// <summary>
    /// Checks each event before YamlStream sees it, so an alias bomb or a 100 000-deep nesting is
    /// refused at its first offending token, before any node is built or any recursion happens.
    /// </summary>
    private sealed class GuardedParser(IParser inner, string file) : IParser
    {
        // One frame per open collection: is it a mapping, and is its next node a key?
        private readonly Stack<(bool IsMapping, bool ExpectKey)> frames = new();

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case AnchorAlias alias:
                    throw Refuse("yaml-alias", $"aliases (*{alias.Value}) are not allowed: Talos configs never need them, and they can expand without bound", alias.Start);
                case NodeEvent node when !node.Anchor.IsEmpty:
                    throw Refuse("yaml-alias", $"anchors (&{node.Anchor}) are not allowed: Talos configs never need them", node.Start);
                case MappingStart start:
                    Open(start, isMapping: true);
                    break;
                case SequenceStart start:
                    Open(start, isMapping: false);
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    NodeDone();
                    break;
                case Scalar:
                    NodeDone();
                    break;
                case DocumentStart:
                    frames.Clear();
                    break;
            }

            return true;
        }

        private void Open(NodeEvent start, bool isMapping)
        {
            if (frames.TryPeek(out var parent) && parent.IsMapping && parent.ExpectKey)
            {
                throw Refuse("yaml-complex-key", "mapping keys must be plain values, not mappings or lists", start.Start);
            }

            if (frames.Count >= MaxDepth)
            {
                throw Refuse("yaml-too-deep", $"nesting deeper than {MaxDepth} levels is not allowed", start.Start);
            }

            frames.Push((isMapping, true));
        }

        private void NodeDone()
        {
            if (frames.TryPop(out var top))
            {
                frames.Push(top.IsMapping ? (true, !top.ExpectKey) : top);
            }
        }

        private RefusedException Refuse(string code, string message, Mark at) =>
            new(new Diagnostic(code, message, new SourceLocation(file, (int)at.Line, (int)at.Column)));
    }
}
