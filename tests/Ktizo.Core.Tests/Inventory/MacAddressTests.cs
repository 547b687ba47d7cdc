using FsCheck;
using FsCheck.Fluent;
using Ktizo.Core;

namespace Ktizo.Core.Tests.Inventory;

public class MacAddressTests
{
    [Theory]
    [InlineData("52:54:00:12:34:56")]
    [InlineData("52-54-00-12-34-56")]
    [InlineData("525400123456")]
    [InlineData("52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef")]
    [InlineData("52-54-00-AB-CD-EF", "52:54:00:ab:cd:ef")]
    [InlineData("52540ABCDEF0", "52:54:0a:bc:de:f0")]
    public void TryParse_WhenNotationIsAccepted_NormalisesToLowerCaseColons(string text, string expected = "52:54:00:12:34:56")
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal(expected, mac.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("52:54:00:12:34")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("52:54-00:12:34:56")]
    [InlineData("52.54.00.12.34.56")]
    [InlineData("5254.0012.3456")]
    [InlineData("52:54:00:12:34:5g")]
    [InlineData("52:54:00:12:34:+6")]
    [InlineData(" 52:54:00:12:34:56")]
    [InlineData("52:54:00:12:34:56\n")]
    [InlineData("../../etc/passwd")]
    [InlineData("52%3A54%3A00%3A12%3A34%3A56")]
    public void TryParse_WhenTextIsNotAMac_Refuses(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_WhenNull_Refuses()
    {
        Assert.False(MacAddress.TryParse((string?)null, out _));
    }

    [Fact]
    public void ToFileName_UsesHyphens()
    {
        Assert.Equal("52-54-00-12-34-56", MacAddress.Parse("52:54:00:12:34:56").ToFileName());
    }

    /// <summary>Any 48-bit value printed in any accepted notation and any case parses back to itself.</summary>
    [Fact]
    public void RoundTrip_ForEveryValueAndNotation_ParsesBackToTheSameAddress()
    {
        var values = Gen.Choose(0, int.MaxValue).Two().Select(t => ((ulong)(uint)t.Item1 << 16 ^ (uint)t.Item2) & 0xFFFF_FFFF_FFFFUL);
        var notation = Gen.Elements(':', '-', '\0');
        var upper = Gen.Elements(true, false);
        Prop.ForAll(Arb.From(values), Arb.From(notation), Arb.From(upper), (value, separator, upperCase) =>
        {
            var mac = MacAddress.FromValue(value);
            var text = separator switch
            {
                ':' => mac.ToString(),
                '-' => mac.ToFileName(),
                _ => mac.ToString().Replace(":", string.Empty, StringComparison.Ordinal),
            };
            text = upperCase ? text.ToUpperInvariant() : text;
            return MacAddress.TryParse(text, out var parsed) && parsed == mac && parsed.ToString() == mac.ToString();
        }).QuickCheckThrowOnFailure();
    }
}
