using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>
/// Writes configs the way <c>talosctl gen config</c> prints them, byte for byte the same for the same
/// tree: UTF-8 without BOM, LF line ends, block style with 4-space indents, a list under its key
/// indented by 4 (<c>podSubnets:</c> / <c>    - 10.244.0.0/16</c>), a mapping inside a list item
/// starting on the dash line, empty collections as <c>{}</c> and <c>[]</c>, documents separated by
/// <c>---</c> lines, no <c>...</c>, a trailing newline.
/// </summary>
/// <remarks>
/// Scalars keep their meaning. A plain scalar from the source (a number, a bool, an unquoted word) is
/// written plain as it was; a string (quoted or block in its source, tagged <c>!!str</c>, or a scalar
/// built in code with no style) is written
/// plain only when it cannot read back as anything else, otherwise double-quoted, or as a <c>|</c>
/// literal block when it spans lines and a block can hold it exactly. The source's own quoting and
/// flow style are not kept, so output does not depend on how a template author wrote things.
/// </remarks>
public static class YamlWriter
{
    private const int Indent = 4;

    // YAML limits implicit keys to 1024 characters; longer keys are written as explicit `? key`.
    private const int MaxImplicitKeyLength = 1000;

    [ThreadStatic]
    private static StringBuilder? cachedBuilder;

    public static byte[] Write(IReadOnlyList<YamlDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);

        var builder = cachedBuilder ?? new StringBuilder(4096);
        cachedBuilder = null;
        builder.Clear();
        try
        {
            for (var i = 0; i < documents.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append("---\n");
                }

                WriteRoot(builder, documents[i].RootNode);
            }

            return Utf8Bytes(builder);
        }
        finally
        {
            if (builder.Capacity <= 1 << 20)
            {
                cachedBuilder = builder;
            }
        }
    }

    /// <summary>
    /// The builder's text as UTF-8, encoded from its chunks: no intermediate string (twice the size of
    /// the bytes, per device). The encoder carries a surrogate pair split across two chunks.
    /// </summary>
    private static byte[] Utf8Bytes(StringBuilder builder)
    {
        var encoder = Encoding.UTF8.GetEncoder();
        var length = 0;
        foreach (var chunk in builder.GetChunks())
        {
            length += encoder.GetByteCount(chunk.Span, flush: false);
        }

        length += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        var bytes = new byte[length];
        var written = 0;
        foreach (var chunk in builder.GetChunks())
        {
            written += encoder.GetBytes(chunk.Span, bytes.AsSpan(written), flush: false);
        }

        written += encoder.GetBytes([], bytes.AsSpan(written), flush: true);
        return written == length ? bytes : throw new InvalidOperationException("UTF-8 length changed while encoding");
    }

    private static void WriteRoot(StringBuilder builder, YamlNode root)
    {
        switch (root)
        {
            case YamlMappingNode { Children.Count: > 0 } mapping:
                WriteMappingBody(builder, mapping, keyColumn: 0, childIndent: Indent, firstInline: false);
                break;
            case YamlSequenceNode { Children.Count: > 0 } sequence:
                WriteSequenceBody(builder, sequence, dashColumn: 0, firstInline: false);
                break;
            case YamlMappingNode:
                builder.Append("{}\n");
                break;
            case YamlSequenceNode:
                builder.Append("[]\n");
                break;
            case YamlScalarNode scalar:
                WriteScalar(builder, scalar, blockIndent: Indent, isKey: false);
                builder.Append('\n');
                break;
        }
    }

    // keyColumn: where keys start. childIndent: where a nested block under a key starts.
    // firstInline: the first key goes right after a "- " already written.
    private static void WriteMappingBody(StringBuilder builder, YamlMappingNode mapping, int keyColumn, int childIndent, bool firstInline)
    {
        var children = mapping.Children;
        for (var i = 0; i < children.Count; i++)
        {
            var (key, value) = children[i];
            if (i > 0 || !firstInline)
            {
                builder.Append(' ', keyColumn);
            }

            if (key is not YamlScalarNode keyScalar)
            {
                throw new InvalidOperationException("mapping keys must be scalars; YamlDocuments.Parse refuses other keys");
            }

            if (keyScalar.Value is { Length: > MaxImplicitKeyLength })
            {
                builder.Append("? ");
                WriteScalar(builder, keyScalar, childIndent, isKey: true);
                builder.Append('\n').Append(' ', keyColumn).Append(':');
            }
            else
            {
                WriteScalar(builder, keyScalar, childIndent, isKey: true);
                builder.Append(':');
            }

            WriteValueAfterKey(builder, value, childIndent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder builder, YamlNode value, int childIndent)
    {
        switch (value)
        {
            case YamlMappingNode { Children.Count: > 0 } mapping:
                builder.Append('\n');
                WriteMappingBody(builder, mapping, childIndent, childIndent + Indent, firstInline: false);
                break;
            case YamlSequenceNode { Children.Count: > 0 } sequence:
                builder.Append('\n');
                WriteSequenceBody(builder, sequence, childIndent, firstInline: false);
                break;
            case YamlMappingNode:
                builder.Append(" {}\n");
                break;
            case YamlSequenceNode:
                builder.Append(" []\n");
                break;
            case YamlScalarNode scalar:
                builder.Append(' ');
                WriteScalar(builder, scalar, childIndent, isKey: false);
                builder.Append('\n');
                break;
        }
    }

    private static void WriteSequenceBody(StringBuilder builder, YamlSequenceNode sequence, int dashColumn, bool firstInline)
    {
        var items = sequence.Children;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0 || !firstInline)
            {
                builder.Append(' ', dashColumn);
            }

            builder.Append("- ");
            switch (items[i])
            {
                case YamlMappingNode { Children.Count: > 0 } mapping:
                    WriteMappingBody(builder, mapping, dashColumn + 2, dashColumn + Indent, firstInline: true);
                    break;
                case YamlSequenceNode { Children.Count: > 0 } nested:
                    WriteSequenceBody(builder, nested, dashColumn + 2, firstInline: true);
                    break;
                case YamlMappingNode:
                    builder.Append("{}\n");
                    break;
                case YamlSequenceNode:
                    builder.Append("[]\n");
                    break;
                case YamlScalarNode scalar:
                    WriteScalar(builder, scalar, dashColumn + 2, isKey: false);
                    builder.Append('\n');
                    break;
            }
        }
    }

    // Writes the scalar without a line end; a literal block writes its own lines, indented by blockIndent.
    private static void WriteScalar(StringBuilder builder, YamlScalarNode scalar, int blockIndent, bool isKey)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag;
        if (!tag.IsEmpty && !YamlScalars.IsStrTag(tag))
        {
            // An explicit type (rare in Talos configs): keep the tag, quote the text.
            AppendTag(builder, tag);
            builder.Append(' ');
            AppendDoubleQuoted(builder, value);
            return;
        }

        if (!YamlScalars.IsStringTyped(scalar))
        {
            // Plain in the source: its text is its meaning (7445 is a number, yes a bool).
            if (YamlScalars.IsNullText(value))
            {
                builder.Append("null");
            }
            else if (IsSafePlain(value))
            {
                builder.Append(value);
            }
            else
            {
                AppendDoubleQuoted(builder, value);
            }

            return;
        }

        if (!isKey && value.Contains('\n') && IsLiteralSafe(value))
        {
            AppendLiteral(builder, value, blockIndent);
        }
        else if (IsSafePlain(value) && !YamlScalars.LooksNonString(value))
        {
            builder.Append(value);
        }
        else
        {
            AppendDoubleQuoted(builder, value);
        }
    }

    private static void AppendTag(StringBuilder builder, TagName tag)
    {
        const string YamlOrg = "tag:yaml.org,2002:";
        var text = tag.Value;
        if (text.StartsWith(YamlOrg, StringComparison.Ordinal))
        {
            builder.Append("!!").Append(text, YamlOrg.Length, text.Length - YamlOrg.Length);
        }
        else if (text.StartsWith('!') && IsSafeTagText(text))
        {
            builder.Append(text);
        }
        else
        {
            builder.Append("!<").Append(text).Append('>');
        }
    }

    private static bool IsSafeTagText(string text)
    {
        foreach (var c in text)
        {
            if (c <= ' ' || c is ',' or '[' or ']' or '{' or '}' or '#' || c > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="value"/> reads back unchanged as a plain block scalar (its type aside).</summary>
    internal static bool IsSafePlain(string value)
    {
        if (value.Length == 0 || value[0] is ' ' || value[^1] is ' ' or ':')
        {
            return false;
        }

        switch (value[0])
        {
            case '?' or ':' or ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                return false;
            case '-':
                if (value.Length == 1 || value[1] == ' ' || value.StartsWith("---", StringComparison.Ordinal))
                {
                    return false;
                }

                break;
            case '.':
                if (value.StartsWith("...", StringComparison.Ordinal))
                {
                    return false;
                }

                break;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!IsPrintable(c, i, value) || c == '\t')
            {
                return false;
            }

            if (c == ':' && value[i + 1] == ' ')
            {
                return false;
            }

            if (c == '#' && value[i - 1] == ' ')
            {
                return false;
            }
        }

        return true;
    }

    // A literal block holds the text exactly when every character is printable and the block's
    // indentation can be detected: the first non-empty line does not start with white space, and no
    // line is white space only (such lines are read as empty).
    private static bool IsLiteralSafe(string value)
    {
        var firstContentSeen = false;
        var lineStart = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i < value.Length && value[i] != '\n')
            {
                var c = value[i];
                if (c != '\t' && !IsPrintable(c, i, value))
                {
                    return false;
                }

                continue;
            }

            var line = value.AsSpan(lineStart, i - lineStart);
            if (line.Length > 0)
            {
                if (line.IsWhiteSpace())
                {
                    return false;
                }

                if (!firstContentSeen && line[0] is ' ' or '\t')
                {
                    return false;
                }

                firstContentSeen = true;
            }

            lineStart = i + 1;
        }

        return firstContentSeen;
    }

    private static void AppendLiteral(StringBuilder builder, string value, int indent)
    {
        var trailing = 0;
        while (trailing < value.Length && value[value.Length - 1 - trailing] == '\n')
        {
            trailing++;
        }

        builder.Append(trailing switch
        {
            0 => "|-",
            1 => "|",
            _ => "|+",
        });

        var body = value.AsSpan(0, value.Length - trailing);
        while (true)
        {
            builder.Append('\n');
            var end = body.IndexOf('\n');
            var line = end < 0 ? body : body[..end];
            if (line.Length > 0)
            {
                builder.Append(' ', indent).Append(line);
            }

            if (end < 0)
            {
                break;
            }

            body = body[(end + 1)..];
        }

        // The caller ends the last content line; `|+` keeps the extra line breaks.
        for (var i = 1; i < trailing; i++)
        {
            builder.Append('\n');
        }
    }

    /// <summary>
    /// <paramref name="value"/> as a YAML double-quoted scalar: one string whatever it holds. The one escaper
    /// of the project: the writer, the templates' <c>quote</c> and device files all use it.
    /// </summary>
    internal static string DoubleQuoted(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendDoubleQuoted(builder, value);
        return builder.ToString();
    }

    private static void AppendDoubleQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\0':
                    builder.Append("\\0");
                    break;
                case '\u0085':
                    builder.Append("\\N");
                    break;
                case '\u2028':
                    builder.Append("\\L");
                    break;
                case '\u2029':
                    builder.Append("\\P");
                    break;
                default:
                    if (IsPrintable(c, i, value))
                    {
                        builder.Append(c);
                    }
                    else if (c < 0x100)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    // YAML's printable set (c-printable) minus the byte-order mark and the line separators, which
    // readers treat specially. A surrogate counts only as half of a valid pair.
    private static bool IsPrintable(char c, int index, string text)
    {
        if (c < 0x7F)
        {
            return c >= 0x20;
        }

        if (c <= 0x9F || c is '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF')
        {
            return false;
        }

        if (char.IsHighSurrogate(c))
        {
            return index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return index > 0 && char.IsHighSurrogate(text[index - 1]);
        }

        return true;
    }
}
