using System.Buffers;
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

        if (FindForbiddenCharacter(text) is { } forbidden)
        {
            errors = [forbidden.ToDiagnostic(file)];
            return [];
        }

        var stream = new YamlStream();
        var parser = new GuardedParser(new Parser(new StringReader(text)), file);
        try
        {
            stream.Load(parser);
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
            var at = parser.LastEnd;
            errors = [new Diagnostic("yaml-syntax", $"malformed YAML after this point ({e.Message})", new SourceLocation(file, (int)at.Line, (int)at.Column))];
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

    // YAML allows only printable characters (c-printable) in a stream; YamlDotNet would silently stop
    // reading at a NUL, so they are refused up front, with where they are.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + "\u007F\u0080\u0081\u0082\u0083\u0084\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\uFFFE\uFFFF");

    private readonly record struct ForbiddenCharacter(int Index, char Character, int Line, int Column)
    {
        public Diagnostic ToDiagnostic(string file) => new(
            "yaml-syntax",
            $"character U+{(int)Character:X4} is not allowed in YAML; write it as an escape inside double quotes",
            new SourceLocation(file, Line, Column));
    }

    private static ForbiddenCharacter? FindForbiddenCharacter(string text)
    {
        var index = text.AsSpan().IndexOfAny(Forbidden);
        if (index < 0)
        {
            index = FindLoneSurrogate(text);
            if (index < 0)
            {
                return null;
            }
        }

        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new ForbiddenCharacter(index, text[index], line, index - lineStart + 1);
    }

    private static int FindLoneSurrogate(string text)
    {
        var index = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        while (index >= 0)
        {
            if (!char.IsHighSurrogate(text[index]) || index + 1 == text.Length || !char.IsLowSurrogate(text[index + 1]))
            {
                return index;
            }

            var next = text.AsSpan(index + 2).IndexOfAnyInRange('\uD800', '\uDFFF');
            index = next < 0 ? -1 : index + 2 + next;
        }

        return -1;
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

        /// <summary>Where the last event read ended, for errors YamlDotNet reports without a position.</summary>
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            LastEnd = inner.Current?.End ?? LastEnd;

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
