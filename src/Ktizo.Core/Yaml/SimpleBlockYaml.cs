using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>
/// A fast path for the small, plain block YAML that patch templates print for every device: block
/// mappings and sequences, one scalar per line (plain, or quoted without escapes), comments, <c>---</c>.
/// YamlDotNet's scanner has a fixed cost per parse whatever the size (docs/benchmarks.md, item 6); this builds
/// the same tree (values, styles, tags; source positions are not kept) for a fraction of that.
/// </summary>
/// <remarks>
/// It is deliberately strict: anything outside that subset (tabs, CR, non-ASCII, flow collections,
/// anchors, tags, block scalars, escapes, multi-line scalars, duplicate keys, odd indentation,
/// directives…) returns null, and the caller parses with <see cref="YamlDocuments.Parse"/>, which
/// also reports the errors. So it never accepts what YamlDotNet would refuse, and never gives a
/// different tree for what it accepts (<c>SimpleBlockYamlTests</c> compare both on many inputs).
/// </remarks>
internal static class SimpleBlockYaml
{
    private const int MaxDepth = 32;

    /// <summary>The non-empty documents of <paramref name="text"/>, or null when it is outside the subset.</summary>
    public static List<YamlDocument>? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        if (lines is null)
        {
            return null;
        }

        var documents = new List<YamlDocument>(2);
        var start = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i < lines.Length && !lines[i].IsSeparator)
            {
                continue;
            }

            if (i > start)
            {
                var parser = new Parser(lines, start, i);
                if (parser.Document() is not { } root)
                {
                    return null;
                }

                documents.Add(new YamlDocument(root));
            }

            start = i + 1;
        }

        return documents;
    }

    /// <summary>A content line: its indentation and its text without the indentation and trailing spaces.</summary>
    private readonly record struct Line(int Indent, string Content, bool IsSeparator);

    private static Line[]? SplitLines(string text)
    {
        var lines = new List<Line>(16);
        var position = 0;
        while (position < text.Length)
        {
            var end = text.IndexOf('\n', position);
            if (end < 0)
            {
                end = text.Length;
            }

            var indent = 0;
            while (position + indent < end && text[position + indent] == ' ')
            {
                indent++;
            }

            var contentEnd = end;
            while (contentEnd > position + indent && text[contentEnd - 1] == ' ')
            {
                contentEnd--;
            }

            var content = text.AsSpan(position + indent, contentEnd - position - indent);
            foreach (var c in content)
            {
                if (c is < ' ' or > '~')
                {
                    return null; // tabs, CR, controls, non-ASCII: YamlDotNet decides
                }
            }

            if (content.Length > 0 && content[0] != '#')
            {
                if (indent == 0 && (content.StartsWith("---") || content.StartsWith("...") || content[0] == '%'))
                {
                    if (!content.SequenceEqual("---"))
                    {
                        return null;
                    }

                    lines.Add(new Line(0, "---", IsSeparator: true));
                }
                else
                {
                    lines.Add(new Line(indent, content.ToString(), IsSeparator: false));
                }
            }

            position = end + 1;
        }

        return lines.ToArray();
    }

    private sealed class Parser(Line[] lines, int start, int end)
    {
        private int _next = start;

        /// <summary>The root (a block mapping or sequence starting at column 0), or null to fall back.</summary>
        public YamlNode? Document()
        {
            if (lines[_next].Indent != 0)
            {
                return null;
            }

            var root = Block(0, depth: 1);
            return _next == end ? root : null;
        }

        private YamlNode? Block(int indent, int depth)
        {
            if (depth > MaxDepth)
            {
                return null;
            }

            return IsItem(lines[_next].Content) ? Sequence(indent, depth) : Mapping(indent, depth);
        }

        private static bool IsItem(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

        private YamlMappingNode? Mapping(int indent, int depth)
        {
            var mapping = new YamlMappingNode { Style = MappingStyle.Block };
            while (_next < end && lines[_next].Indent == indent && !IsItem(lines[_next].Content))
            {
                if (!SplitKey(lines[_next].Content, out var key, out var rest) || mapping.Children.ContainsKey(key))
                {
                    return null;
                }

                _next++;
                YamlNode? value;
                if (rest.Length > 0)
                {
                    value = Scalar(rest);
                }
                else if (_next < end && lines[_next].Indent > indent)
                {
                    value = Block(lines[_next].Indent, depth + 1);
                }
                else if (_next < end && lines[_next].Indent == indent && IsItem(lines[_next].Content))
                {
                    return null; // a list at its key's indentation: valid YAML, left to YamlDotNet
                }
                else
                {
                    value = new YamlScalarNode(string.Empty) { Style = ScalarStyle.Plain };
                }

                if (value is null || (_next < end && lines[_next].Indent > indent))
                {
                    return null; // a continuation line, or a nested block after a scalar
                }

                mapping.Children.Add(key, value);
            }

            return _next < end && lines[_next].Indent >= indent ? null : mapping;
        }

        private YamlSequenceNode? Sequence(int indent, int depth)
        {
            var sequence = new YamlSequenceNode { Style = SequenceStyle.Block };
            while (_next < end && lines[_next].Indent == indent && IsItem(lines[_next].Content))
            {
                var content = lines[_next].Content;
                if (content.Length < 3 || content[2] == ' ' || IsItem(content[2..]))
                {
                    return null; // "-" alone, extra spaces, or "- - x"
                }

                var item = content[2..];
                YamlNode? value;
                if (SplitKey(item, out _, out _))
                {
                    // "- key: value": a mapping whose keys line up after the dash.
                    if (depth + 1 > MaxDepth)
                    {
                        return null;
                    }

                    lines[_next] = new Line(indent + 2, item, IsSeparator: false);
                    value = Mapping(indent + 2, depth + 1);
                }
                else
                {
                    value = Scalar(item);
                    _next++;
                    if (_next < end && lines[_next].Indent > indent)
                    {
                        return null;
                    }
                }

                if (value is null)
                {
                    return null;
                }

                sequence.Children.Add(value);
            }

            return _next < end && lines[_next].Indent >= indent ? null : sequence;
        }

        /// <summary>"key: rest" or "key:"; false when the line is not a simple key (or is a scalar).</summary>
        private static bool SplitKey(string content, out YamlScalarNode key, out string rest)
        {
            key = null!;
            rest = string.Empty;
            int colon;
            if (content[0] == '"')
            {
                var close = content.IndexOf('"', 1);
                if (close < 0 || close + 1 >= content.Length || content[close + 1] != ':')
                {
                    return false;
                }

                colon = close + 1;
            }
            else
            {
                colon = content.IndexOf(": ", StringComparison.Ordinal);
                if (colon < 0)
                {
                    if (content[^1] != ':')
                    {
                        return false;
                    }

                    colon = content.Length - 1;
                }
            }

            if (colon + 1 < content.Length && content[colon + 1] != ' ')
            {
                return false;
            }

            if (Scalar(content[..colon]) is not { } parsedKey)
            {
                return false;
            }

            key = parsedKey;
            rest = content[(colon + 1)..].TrimStart(' ');
            return true;
        }

        /// <summary>A one-line scalar: plain, "double" or 'single' quoted without escapes; else null.</summary>
        private static YamlScalarNode? Scalar(string text)
        {
            if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
            {
                var inner = text[1..^1];
                return inner.AsSpan().IndexOfAny('"', '\\') < 0 ? new YamlScalarNode(inner) { Style = ScalarStyle.DoubleQuoted } : null;
            }

            if (text.Length >= 2 && text[0] == '\'' && text[^1] == '\'')
            {
                var inner = text[1..^1];
                return inner.Contains('\'') ? null : new YamlScalarNode(inner) { Style = ScalarStyle.SingleQuoted };
            }

            return IsSimplePlain(text) ? new YamlScalarNode(text) { Style = ScalarStyle.Plain } : null;
        }

        // Indicators YAML gives a meaning at the start of a plain scalar, and characters this fast path
        // leaves to YamlDotNet wherever they are (comments, flow collections, anchors, tags, quotes).
        private const string NotFirst = "-?:,[]{}#&*!|>'\"%@`";
        private const string NotAnywhere = "#,[]{}&*!|>'\"%@`\\";

        private static bool IsSimplePlain(string text) =>
            text.Length > 0
            && !NotFirst.Contains(text[0])
            && text.AsSpan().IndexOfAny(NotAnywhere) < 0
            && !text.Contains(": ", StringComparison.Ordinal)
            && text[^1] is not (':' or ' ');
    }
}
