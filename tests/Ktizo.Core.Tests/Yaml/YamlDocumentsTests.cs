using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ktizo.Core.Validation;
using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Yaml;

public class YamlDocumentsTests
{
    private static (IReadOnlyList<YamlDocument> Documents, IReadOnlyList<Diagnostic> Errors) Parse(string text)
    {
        var documents = YamlDocuments.Parse(text, "templates/patches/p.yaml", out var errors);
        return (documents, errors);
    }

    private static Diagnostic SingleError(string text)
    {
        var (documents, errors) = Parse(text);
        Assert.Empty(documents);
        return Assert.Single(errors);
    }

    [Fact]
    public void Parse_WhenTextHasSeveralDocuments_ReturnsEachInOrder()
    {
        var (documents, errors) = Parse("version: v1alpha1\n---\napiVersion: v1alpha1\nkind: HostnameConfig\n---\nkind: Other\n");

        Assert.Empty(errors);
        Assert.Equal(3, documents.Count);
        Assert.Equal("HostnameConfig", ((YamlScalarNode)documents[1].RootNode["kind"]).Value);
        Assert.Equal("Other", ((YamlScalarNode)documents[2].RootNode["kind"]).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# rendered to nothing\n")]
    [InlineData("# a\n\n   # b\n")]
    [InlineData("---\n# c\n---\n")]
    [InlineData("---\n...\n")]
    [InlineData("null\n")]
    public void Parse_WhenDocumentsAreEmpty_ReturnsNoDocumentsAndNoErrors(string text)
    {
        var (documents, errors) = Parse(text);

        Assert.Empty(documents);
        Assert.Empty(errors);
    }

    [Fact]
    public void Parse_WhenEmptyDocumentSitsBetweenOthers_SkipsOnlyIt()
    {
        var (documents, errors) = Parse("a: 1\n---\n# nothing\n---\nb: 2\n");

        Assert.Empty(errors);
        Assert.Equal(2, documents.Count);
    }

    [Theory]
    [InlineData("machine:\n  type: worker\n  token: \"abc\n", 3, 10)]
    [InlineData("machine:\n  type: worker\n   token: x\n", 3, 9)]
    [InlineData("machine:\n  type: worker\n  - item\n", 3, 3)]
    [InlineData("machine:\n  certSANs: [a, b\n", 3, 1)]
    [InlineData("key: \"\\q\"\n", 1, 6)]
    public void Parse_WhenSyntaxIsBroken_ReportsYamlSyntaxAtLineAndColumn(string text, int line, int column)
    {
        var error = SingleError(text);

        Assert.Equal("yaml-syntax", error.Code);
        Assert.Equal(new SourceLocation("templates/patches/p.yaml", line, column), error.Location);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Parse_WhenIndentedWithTab_PointsAtTheTabAndSaysSo()
    {
        var error = SingleError("machine:\n  type: worker\n\tinstall: {}\n");

        Assert.Equal("yaml-syntax", error.Code);
        Assert.Equal((3, 1), (error.Location.Line, error.Location.Column));
        Assert.Contains("tabs", error.Message);
    }

    [Fact]
    public void Parse_WhenKeyIsRepeated_ReportsDuplicateKey()
    {
        var error = SingleError("machine:\n  type: worker\n  type: controlplane\n");

        Assert.Equal("yaml-syntax", error.Code);
        Assert.Contains("duplicate key type", error.Message);
        Assert.Equal(3, error.Location.Line);
    }

    [Theory]
    [InlineData("a: 1\0b: 2\n", 1, 5)]
    [InlineData("a: 1\nb: \u0007\n", 2, 4)]
    public void Parse_WhenTextHasNonPrintableCharacter_ReportsWhereItIs(string text, int line, int column)
    {
        var error = SingleError(text);

        Assert.Equal("yaml-syntax", error.Code);
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Parse_WhenTextHasLoneSurrogate_ReportsWhereItIs()
    {
        // Not as InlineData: test discovery would turn the lone surrogate into U+FFFD.
        var error = SingleError("a: b\nc: \uD800x\n");

        Assert.Equal("yaml-syntax", error.Code);
        Assert.Equal((2, 4), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Parse_WhenAliasIsUsed_ReportsYamlAlias()
    {
        var error = SingleError("a: &x 1\nb: *x\n");

        Assert.Equal("yaml-alias", error.Code);
        Assert.Equal((1, 4), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Parse_WhenAnchorIsDefinedButNotUsed_ReportsYamlAlias()
    {
        Assert.Equal("yaml-alias", SingleError("machine: &m\n  type: worker\n").Code);
    }

    [Fact]
    public void Parse_WhenGivenAliasBomb_RefusesItQuickly()
    {
        // "Billion laughs": 10 levels of 10 aliases each would expand to 10^10 nodes.
        var bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'j'; level++)
        {
            var previous = (char)(level - 1);
            bomb.Append(level).Append(": &").Append(level).Append(" [");
            bomb.AppendJoin(',', Enumerable.Repeat("*" + previous, 10));
            bomb.Append("]\n");
        }

        var clock = Stopwatch.StartNew();
        var error = SingleError(bomb.ToString());

        Assert.Equal("yaml-alias", error.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    private static string NestedFlow(int depth) => new string('[', depth) + new string(']', depth);

    private static string NestedBlock(int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(' ', i).Append('k').Append(i).Append(":\n");
        }

        return text.Append(' ', depth).Append("leaf: 1\n").ToString();
    }

    [Fact]
    public void Parse_WhenNestingIs64Levels_AcceptsIt()
    {
        Assert.Empty(Parse(NestedFlow(YamlDocuments.MaxDepth)).Errors);
        Assert.Empty(Parse(NestedBlock(YamlDocuments.MaxDepth - 1)).Errors); // the leaf mapping is level 64
    }

    [Fact]
    public void Parse_WhenNestingIs65Levels_ReportsYamlTooDeep()
    {
        var error = SingleError(NestedFlow(YamlDocuments.MaxDepth + 1));

        Assert.Equal("yaml-too-deep", error.Code);
        Assert.Equal((1, YamlDocuments.MaxDepth + 1), (error.Location.Line, error.Location.Column));
        Assert.Equal("yaml-too-deep", SingleError(NestedBlock(YamlDocuments.MaxDepth)).Code);
    }

    [Fact]
    public void Parse_WhenNestingIsHugelyDeep_RefusesItQuicklyWithoutOverflowingTheStack()
    {
        var clock = Stopwatch.StartNew();
        var error = SingleError(NestedFlow(200_000));

        Assert.Equal("yaml-too-deep", error.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("? {a: 1}\n: b\n")]
    [InlineData("? [a]\n: b\n")]
    [InlineData("{[a]: b}\n")]
    public void Parse_WhenKeyIsACollection_ReportsComplexKey(string text)
    {
        Assert.Equal("yaml-complex-key", SingleError(text).Code);
    }

    [Theory]
    [InlineData("- [a\n- b")]
    [InlineData("a: !<tag:x> [")]
    [InlineData("%YAML 9.9\n---\na: 1\n")]
    [InlineData("{")]
    [InlineData("]")]
    [InlineData("a: b: c")]
    [InlineData("'")]
    [InlineData("&")]
    [InlineData("*")]
    [InlineData("%")]
    [InlineData("---\n--- a\n... b")]
    public void Parse_WhenInputIsMalformed_ReportsErrorWithoutThrowing(string text)
    {
        var (documents, errors) = Parse(text);

        Assert.Empty(documents);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("templates/patches/p.yaml", e.Location.File));
    }

    [Property(MaxTest = 500)]
    public void Parse_ForAnyText_NeverThrowsAndReturnsDocumentsXorErrors(string? text)
    {
        var documents = YamlDocuments.Parse(text ?? "", "f.yaml", out var errors);

        Assert.True(documents.Count == 0 || errors.Count == 0);
    }

    [Property(MaxTest = 500)]
    public Property Parse_ForYamlLikeText_NeverThrows()
    {
        var pieces = Gen.Elements("a", ":", " ", "\n", "  ", "- ", "[", "]", "{", "}", ",", "\"", "'", "#", "&x", "*x", "!", "|", ">", "?", "---", "...", "\t", "%", "\\", "1");
        var texts = Gen.ListOf(pieces).Select(parts => string.Concat(parts));
        return Prop.ForAll(texts.ToArbitrary(), text =>
        {
            var documents = YamlDocuments.Parse(text, "f.yaml", out var errors);
            return documents.Count == 0 || errors.Count == 0;
        });
    }
}
