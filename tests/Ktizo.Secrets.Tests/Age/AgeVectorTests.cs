using Ktizo.Crypto.Age;

namespace Ktizo.Secrets.Tests.Age;

/// <summary>Files Debian's age wrote once (Age/vectors/README.md), read without the tool.</summary>
public class AgeVectorTests
{
    private static string Vector(string name) => Path.Combine(AppContext.BaseDirectory, "Age", "vectors", name);

    private static IReadOnlyList<AgeIdentity> Identity() => AgeIdentity.ParseFile(File.ReadAllText(Vector("identity.txt")), "identity.txt");

    [Fact]
    public void Identity_DerivesTheRecipientAgeKeygenPrinted()
    {
        Assert.Equal(File.ReadAllText(Vector("recipient.txt")).Trim(), Identity().Single().Recipient.ToString());
    }

    [Fact]
    public void Decrypt_OneChunkFile_GivesThePlaintext()
    {
        var opened = AgeFile.Decrypt(File.ReadAllBytes(Vector("plain.txt.age")), Identity(), "plain.txt.age");

        Assert.Equal(File.ReadAllBytes(Vector("plain.txt")), opened);
    }

    [Fact]
    public void Decrypt_TwoChunkFile_GivesThePlaintext()
    {
        var opened = AgeFile.Decrypt(File.ReadAllBytes(Vector("two-chunks.txt.age")), Identity(), "two-chunks.txt.age");

        Assert.Equal(new string('k', 70000), System.Text.Encoding.ASCII.GetString(opened));
    }
}
