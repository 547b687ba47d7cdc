using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>How a scalar reads back: shared by the merge (null means "no change") and the writer (quoting).</summary>
internal static class YamlScalars
{
    private const string StrTag = "tag:yaml.org,2002:str";

    /// <summary>A plain, untagged <c>null</c>, <c>~</c> or nothing at all.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain } scalar
        && scalar.Tag.IsEmpty
        && IsNullText(scalar.Value);

    public static bool IsNullText(string? value) =>
        value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>
    /// True when the scalar is a string whatever its text looks like: it was quoted or block-styled
    /// in its source, tagged <c>!!str</c>, or built in code without a style (<see cref="ScalarStyle.Any"/>,
    /// so that a value put into a tree by code can never turn into a number or a bool). A plain scalar
    /// from a source means whatever its text resolves to.
    /// </summary>
    public static bool IsStringTyped(YamlScalarNode scalar) =>
        (scalar.Style is not ScalarStyle.Plain && scalar.Tag.IsEmpty) || IsStrTag(scalar.Tag);

    public static bool IsStrTag(TagName tag) => !tag.IsEmpty && tag.Value == StrTag;

    /// <summary>
    /// True when <paramref name="value"/>, written plain, could be read back as something other than a
    /// string by Talos's go-yaml (YAML 1.2 core schema plus YAML 1.1 booleans, sexagesimals and
    /// timestamps) or by YamlDotNet. Deliberately conservative: a false "true" only costs quotes.
    /// </summary>
    public static bool LooksNonString(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var first = value[0];
        switch (first)
        {
            case 't' or 'T' or 'f' or 'F' or 'y' or 'Y' or 'n' or 'N' or 'o' or 'O':
                return value.Length <= 5 && IsBoolOrNullWord(value);
            case '~':
                return value.Length == 1;
            case '<':
                return value == "<<";
            case '=':
                return value.Length == 1;
        }

        var start = first is '+' or '-' ? 1 : 0;
        if (start == value.Length)
        {
            return false;
        }

        var lead = value[start];
        if (lead == '.')
        {
            var rest = value.AsSpan(start);
            if (rest.Equals(".inf", StringComparison.OrdinalIgnoreCase) || rest.Equals(".nan", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (start + 1 == value.Length || !char.IsAsciiDigit(value[start + 1]))
            {
                return false;
            }
        }
        else if (!char.IsAsciiDigit(lead))
        {
            return false;
        }

        // Starts like a number: quote it unless it holds a character no number, timestamp or
        // sexagesimal can contain ("10.244.0.0/16" stays plain, "1.5", "0x1F", "2024-01-02" do not).
        for (var i = start; i < value.Length; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiHexDigit(c) || c is '.' or '_' or ':' or '+' or '-' or ' ' or 'x' or 'X' or 'o' or 'O' or 't' or 'T' or 'z' or 'Z'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBoolOrNullWord(string value)
    {
        Span<char> lower = stackalloc char[5];
        var length = value.AsSpan().ToLowerInvariant(lower);
        return lower[..length] switch
        {
            "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" => true,
            _ => false,
        };
    }
}
