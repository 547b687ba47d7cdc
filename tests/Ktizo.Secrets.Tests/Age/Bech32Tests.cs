using System.Security.Cryptography;
using Ktizo.Core;
using Ktizo.Crypto.Age;

namespace Ktizo.Secrets.Tests.Age;

public class Bech32Tests
{
    [Theory]
    [InlineData("age", false)]
    [InlineData("AGE-SECRET-KEY-", true)]
    [InlineData("a", false)]
    public void Encode_ThenDecode_GivesTheData(string hrp, bool upper)
    {
        foreach (var length in new[] { 0, 1, 5, 31, 32, 33 })
        {
            var data = RandomNumberGenerator.GetBytes(length);
            var text = Bech32.Encode(hrp, data, upper);

            Assert.Equal(upper, text.Any(char.IsUpper));
            Assert.StartsWith((upper ? hrp.ToUpperInvariant() : hrp.ToLowerInvariant()) + "1", text, StringComparison.Ordinal);
            Assert.Equal(data, Bech32.Decode(text, hrp, "test"));
        }
    }

    [Fact]
    public void Decode_EveryChangedCharacter_FailsTheChecksum()
    {
        var text = Bech32.Encode("age", RandomNumberGenerator.GetBytes(32));
        for (var i = 4; i < text.Length; i++)
        {
            var changed = text[..i] + (text[i] == 'q' ? 'p' : 'q') + text[(i + 1)..];
            var error = Assert.Throws<KtizoException>(() => Bech32.Decode(changed, "age", "k"));
            Assert.DoesNotContain(changed, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("mixed", "mixed upper and lower case")]
    [InlineData("hrp", "expected the prefix")]
    [InlineData("alphabet", "outside Bech32's alphabet")]
    [InlineData("short", "too short")]
    public void Decode_Malformed_SaysWhy(string kind, string expected)
    {
        var text = Bech32.Encode("age", RandomNumberGenerator.GetBytes(32));
        var bad = kind switch
        {
            "mixed" => "AGE" + text[3..],
            "hrp" => Bech32.Encode("agf", RandomNumberGenerator.GetBytes(32)),
            "alphabet" => text[..10] + "b" + text[11..],
            _ => "age1qqq",
        };

        var error = Assert.Throws<KtizoException>(() => Bech32.Decode(bad, "age", "k"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_Recipient_IsNotThePrivateKeysText()
    {
        var identity = AgeIdentity.Generate();

        Assert.StartsWith("AGE-SECRET-KEY-1", identity.Encode(), StringComparison.Ordinal);
        Assert.StartsWith("age1", identity.ToString(), StringComparison.Ordinal);
        Assert.Equal(identity.Recipient.ToString(), AgeIdentity.Parse(identity.Encode(), "k").Recipient.ToString());
        Assert.Equal(identity.Recipient.ToString(), AgeRecipient.Parse(identity.Recipient.ToString()).ToString());
    }

    [Fact]
    public void IdentityFile_WithoutAKey_OrWithAnotherKind_IsRefusedWithTheLine()
    {
        Assert.Contains("holds no identity", Assert.Throws<KtizoException>(() => AgeIdentity.ParseFile("# nothing\n\n", "id.txt")).Message, StringComparison.Ordinal);
        Assert.Contains("id.txt:2", Assert.Throws<KtizoException>(() => AgeIdentity.ParseFile("# x\nssh-ed25519 AAAA\n", "id.txt")).Message, StringComparison.Ordinal);
    }
}
