using System.Security.Cryptography;
using System.Text;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rendering;

public class SharedPiecesTests
{
    [Fact]
    public void Split_ConfigsDifferingInOneLine_JoinBackExactlyAndShareTheRest()
    {
        byte[][] yamls =
        [
            Bytes("version: v1\nhostname: a\nmachine:\n  type: worker\n"),
            Bytes("version: v1\nhostname: b\nmachine:\n  type: worker\n"),
            Bytes("version: v1\nhostname: c\nmachine:\n  type: worker"),
        ];

        var pieces = SharedPieces.Split(yamls);

        for (var i = 0; i < yamls.Length; i++)
        {
            Assert.Equal(yamls[i], SharedPieces.Join(pieces[i]));
        }

        Assert.Equal("hostname: a\n", Encoding.UTF8.GetString(pieces[0][1]));
        Assert.Same(pieces[0][0], pieces[1][0]);
        Assert.Same(pieces[0][2], pieces[1][2]);
        Assert.NotSame(pieces[0][2], pieces[2][2]);
    }

    [Fact]
    public void Split_OneConfigOrEmptyOnes_KeepsThemWhole()
    {
        var one = Bytes("a: 1\n");
        Assert.Same(one, Assert.Single(Assert.Single(SharedPieces.Split([one]))));

        var pieces = SharedPieces.Split([[], []]);
        Assert.All(pieces, p => Assert.Empty(SharedPieces.Join(p)));
    }

    [Fact]
    public void Render_Example_PiecesJoinToTheBytesTheirHashNames()
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;

        Assert.Contains(set.Approved.Values, c => c.Pieces.Length > 1);
        foreach (var config in set.Approved.Values)
        {
            var yaml = config.Yaml;
            Assert.Equal(config.Sha256, Convert.ToHexStringLower(SHA256.HashData(yaml)));
            Assert.Equal(config.Length, yaml.Length);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
