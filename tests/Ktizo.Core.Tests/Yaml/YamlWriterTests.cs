using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ktizo.Core.Yaml;
using Ktizo.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Ktizo.Core.Tests.Yaml.YamlKit;

namespace Ktizo.Core.Tests.Yaml;

public partial class YamlWriterTests
{
    [Theory]
    [InlineData("controlplane-v1.13.yaml")]
    [InlineData("worker-v1.14.yaml")]
    public void Write_WhenGivenAConfigInTalosLayout_ReproducesItByteForByte(string file)
    {
        var config = TalosShapedConfig(file);

        Assert.Equal(config, Text(Docs(config)));
    }

    [TalosReferenceTheory]
    [InlineData("v1.13/base-controlplane.yaml")]
    [InlineData("v1.14/base-worker.yaml")]
    public void Write_WhenGivenTalosGeneratedConfig_ReproducesItByteForByte(string file)
    {
        var talos = TalosExample(file);

        Assert.Equal(talos, Text(Docs(talos)));
    }

    [Fact]
    public void Write_WhenCalledAgainOnTheSameOrAnEqualTree_ReturnsTheSameBytes()
    {
        AssertSameBytesEveryTime(Docs(TalosShapedConfig("worker-v1.14.yaml")));
    }

    [TalosReferenceFact]
    public void Write_WhenCalledAgainOnTheSameOrAnEqualTalosGeneratedTree_ReturnsTheSameBytes()
    {
        AssertSameBytesEveryTime(Docs(TalosExample("v1.14/base-worker.yaml")));
    }

    [Fact]
    public void Write_WhenSourceUsesFlowStyleAndOtherIndents_WritesTalosBlockStyle()
    {
        var output = Text(Docs("cluster: {network: {podSubnets: [10.244.0.0/16, 'fd00::/104'], cni: {name: none}}}\nmachine:\n  certSANs: []\n  features: {}\n"));

        Assert.Equal("""
            cluster:
                network:
                    podSubnets:
                        - 10.244.0.0/16
                        - fd00::/104
                    cni:
                        name: none
            machine:
                certSANs: []
                features: {}

            """, output);
    }

    [Fact]
    public void Write_WhenSeveralDocuments_SeparatesThemWithDashLinesAndEndsWithOneNewline()
    {
        var bytes = YamlWriter.Write(Docs("a: 1\n---\nb: 2\n...\n---\nc: 3\n"));
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Equal("a: 1\n---\nb: 2\n---\nc: 3\n", text);
        Assert.DoesNotContain('\r', text);
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte-order mark");
    }

    [Fact]
    public void Write_WhenNoDocuments_ReturnsNoBytes()
    {
        Assert.Empty(YamlWriter.Write([]));
    }

    [Fact]
    public void Write_WhenListItemsAreMappings_StartsEachOnItsDashLine()
    {
        var output = Text(Docs("routes:\n- network: 0.0.0.0/0\n  gateway: 10.0.0.1\n  metrics: [1, 2]\n- {}\n- []\n- - a\n  - b\n"));

        Assert.Equal("""
            routes:
                - network: 0.0.0.0/0
                  gateway: 10.0.0.1
                  metrics:
                    - 1
                    - 2
                - {}
                - []
                - - a
                  - b

            """, output);
    }

    [Theory]
    [InlineData("port: 7445", "port: 7445")]
    [InlineData("enabled: true", "enabled: true")]
    [InlineData("wipe: no", "wipe: no")]
    [InlineData("ratio: 1.5", "ratio: 1.5")]
    [InlineData("hostname:", "hostname: null")]
    [InlineData("hostname: ~", "hostname: null")]
    [InlineData("mode: 0o644", "mode: 0o644")]
    public void Write_WhenScalarWasPlain_KeepsItPlain(string source, string written)
    {
        Assert.Equal(written + "\n", Text(Docs(source)));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("yes")]
    [InlineData("off")]
    [InlineData("y")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("7445")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData(".inf")]
    [InlineData("-.Inf")]
    [InlineData(".NaN")]
    [InlineData("0x1F")]
    [InlineData("0o17")]
    [InlineData("1_000")]
    [InlineData("1:20")]
    [InlineData("2024-01-02")]
    [InlineData("2001-12-14t21:59:43.10-05:00")]
    [InlineData("<<")]
    [InlineData("=")]
    public void Write_WhenStringWouldReadAsAnotherType_QuotesIt(string value)
    {
        var output = Text(Docs($"key: \"{value}\"\n"));

        Assert.Equal($"key: \"{value}\"\n", output);
    }

    [Theory]
    [InlineData("10.244.0.0/16")]
    [InlineData("ghcr.io/siderolabs/kubelet:v1.28.0")]
    [InlineData("https://base:6443")]
    [InlineData("node-01")]
    [InlineData("--iface-can-reach=192.168.1.1")]
    [InlineData("a b c")]
    [InlineData("truest")]
    [InlineData("1.2.3/4")]
    public void Write_WhenStringIsSafePlain_WritesItPlain(string value)
    {
        Assert.Equal($"key: {value}\n", Text(Docs($"key: '{value}'\n")));
    }

    [Theory]
    [InlineData("line 1\nline 2\n", "key: |\n    line 1\n    line 2\n")]
    [InlineData("line 1\n  indented\nline 3", "key: |-\n    line 1\n      indented\n    line 3\n")]
    [InlineData("a\n\nb\n\n\n", "key: |+\n    a\n\n    b\n\n\n")]
    public void Write_WhenStringSpansLines_WritesLiteralBlock(string value, string expected)
    {
        var output = Text([new YamlDocument(new YamlMappingNode { { "key", DoubleQuoted(value) } })]);

        Assert.Equal(expected, output);
        Assert.Equal(value, ReadBackValue(output));
    }

    [Theory]
    [InlineData(": ")]
    [InlineData("a: b")]
    [InlineData("a #b")]
    [InlineData("#a")]
    [InlineData("- a")]
    [InlineData("-")]
    [InlineData("---")]
    [InlineData("...")]
    [InlineData(" lead")]
    [InlineData("trail ")]
    [InlineData("tab\there")]
    [InlineData("cr\r\nlf")]
    [InlineData("\n")]
    [InlineData("  indented\nfirst line")]
    [InlineData("a\n \nb")]
    [InlineData("quote\"back\\slash")]
    [InlineData("'single'")]
    [InlineData("&anchor")]
    [InlineData("*alias")]
    [InlineData("!tag")]
    [InlineData("%directive")]
    [InlineData("@at")]
    [InlineData("`tick")]
    [InlineData("{flow}")]
    [InlineData("[flow]")]
    [InlineData("? q")]
    [InlineData("ends:")]
    [InlineData("::1")]
    [InlineData("nel\u0085sep\u2028par\u2029bom\uFEFF")]
    [InlineData("del\u007Fc1\u0090")]
    [InlineData("emoji \U0001F680 ü")]
    public void Write_WhenStringHasYamlSyntaxInIt_ReadsBackUnchanged(string value)
    {
        var output = Text([new YamlDocument(new YamlMappingNode { { "key", DoubleQuoted(value) } })]);

        Assert.Equal(value, ReadBackValue(output));
    }

    [Fact]
    public void Write_WhenAPairOfSurrogatesFallsOnAnyOffset_EncodesItWhole()
    {
        // The bytes are encoded from the builder's chunks; a pair split across two chunks must stay one character.
        // A fresh thread, so the writer starts from a fresh (small, chunked) builder.
        var failures = new List<int>();
        var thread = new Thread(() =>
        {
            // Every offset around the first chunk boundaries of a builder starting at 4,096 characters.
            for (var n = 4_000; n < 8_400; n++)
            {
                var value = new string('a', n) + "\U0001F680" + new string('b', n % 50);
                var bytes = YamlWriter.Write([new YamlDocument(new YamlMappingNode { { "key", DoubleQuoted(value) } })]);
                if (!bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes))) || ReadBackValue(Encoding.UTF8.GetString(bytes)) != value)
                {
                    failures.Add(n);
                }
            }
        });
        thread.Start();
        thread.Join();

        Assert.Empty(failures);
    }

    [Fact]
    public void Write_WhenScalarIsBuiltInCodeWithoutStyle_TreatsItAsString()
    {
        var root = new YamlMappingNode { { "port", "7445" }, { "enabled", "true" }, { "name", "node-01" } };

        Assert.Equal("port: \"7445\"\nenabled: \"true\"\nname: node-01\n", Text([new YamlDocument(root)]));
    }

    [Fact]
    public void Write_WhenKeyNeedsQuotes_QuotesIt()
    {
        var output = Text(Docs("\"a: b\": 1\n\"true\": 2\n'node.kubernetes.io/exclude': ''\n"));

        Assert.Equal("\"a: b\": 1\n\"true\": 2\nnode.kubernetes.io/exclude: \"\"\n", output);
    }

    // The property the gatekeeper relies on: whatever string a patch carries, the config that goes to
    // Talos carries the same string, as a string.
    [Property(MaxTest = 1000)]
    public void Write_ThenParse_KeepsAnyStringScalar(string? raw)
    {
        AssertRoundTrip(ValidUtf16(raw ?? ""));
    }

    [Property(MaxTest = 1000)]
    public Property Write_ThenParse_KeepsStringsMadeOfYamlSyntax()
    {
        var pieces = Gen.Elements(
            "a", "1", "0x", ".", "-", "+", ":", ": ", " ", "  ", "#", " #", "\n", "\r", "\t", "'", "\"", "\\",
            "- ", "? ", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "~", "true", "null",
            "no", "---", "...", "e5", "\u0085", "\u2028", "\u00A0", "é", "\U0001F680", "\0", "\u001B");
        var strings = Gen.ListOf(pieces).Select(parts => string.Concat(parts));
        return Prop.ForAll(strings.ToArbitrary(), value =>
        {
            AssertRoundTrip(value);
            return true;
        });
    }

    private static void AssertSameBytesEveryTime(List<YamlDocument> documents)
    {
        var first = YamlWriter.Write(documents);

        Assert.Equal(first, YamlWriter.Write(documents));
        Assert.Equal(first, YamlWriter.Write(YamlClone.Deep(documents)));
        Assert.Equal(first, YamlWriter.Write(Docs(Encoding.UTF8.GetString(first))));
    }

    private static void AssertRoundTrip(string value)
    {
        var root = new YamlMappingNode
        {
            { "value", DoubleQuoted(value) },
            { "list", new YamlSequenceNode(DoubleQuoted(value)) },
            { "nested", new YamlMappingNode { { "items", new YamlSequenceNode(new YamlMappingNode { { "inner", DoubleQuoted(value) } }) } } },
        };
        if (value is not ("value" or "list" or "nested"))
        {
            root.Add(DoubleQuoted(value), new YamlScalarNode("as-key"));
        }

        var text = Encoding.UTF8.GetString(YamlWriter.Write([new YamlDocument(root)]));
        var documents = YamlDocuments.Parse(text, "roundtrip.yaml", out var errors);

        Assert.True(errors.Count == 0, $"{errors.FirstOrDefault()} in\n{text}");
        var back = (YamlMappingNode)Assert.Single(documents).RootNode;
        AssertSameString(value, back["value"], text);
        AssertSameString(value, ((YamlSequenceNode)back["list"]).Children[0], text);
        AssertSameString(value, ((YamlSequenceNode)back["nested"]["items"]).Children[0]["inner"], text);
        if (value is not ("value" or "list" or "nested"))
        {
            AssertSameString(value, back.Children[3].Key, text);
        }
    }

    private static void AssertSameString(string expected, YamlNode node, string text)
    {
        var scalar = Assert.IsType<YamlScalarNode>(node);
        Assert.True(expected == scalar.Value, $"wrote {Show(expected)}, read {Show(scalar.Value)} from\n{text}");
        if (scalar.Style is ScalarStyle.Plain)
        {
            // Independent of the writer's own rules: a plain scalar must not match YAML 1.1/1.2 non-strings.
            Assert.False(NonStringPlain().IsMatch(expected), $"{Show(expected)} was written plain in\n{text}");
        }
    }

    private static string Show(string? value) => value is null ? "null" : System.Text.Json.JsonSerializer.Serialize(value);

    private static YamlScalarNode DoubleQuoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    private static string? ReadBackValue(string text) => ((YamlScalarNode)Assert.Single(Docs(text)).RootNode["key"]).Value;

    // Lone surrogates cannot be encoded in UTF-8 at all; replace them so every other string is tested.
    private static string ValidUtf16(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    // Booleans and nulls (1.1 and 1.2, any case), ints (decimal, octal, hex, binary, sexagesimal),
    // floats (incl. .inf/.nan, 1.1's looser form), timestamps, and the merge/value keys.
    [GeneratedRegex("""
        ^(?:
            (?i:y|yes|n|no|true|false|on|off|null|~)
          | [-+]?(?:0|[1-9][0-9_]*)
          | [-+]?0[0-7_]+ | [-+]?0o[0-7_]+ | [-+]?0x[0-9a-fA-F_]+ | [-+]?0b[01_]+
          | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
          | [-+]?(?:[0-9][0-9_]*\.[0-9.]*|\.[0-9][0-9.]*)(?:[eE][-+]?[0-9]+)?
          | [-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+
          | [-+]?\.(?i:inf) | \.(?i:nan)
          | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?
          | <<
          | =
        )$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex NonStringPlain();
}
