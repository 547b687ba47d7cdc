using Ktizo.Testing.Git;
using Xunit.Abstractions;

namespace Ktizo.Git.Tests;

/// <summary>
/// The token reaches the server and nothing else: not the clone's config, not a log line, not an error message.
/// A local smart-HTTP server (git http-backend on 127.0.0.1) stands in for GitHub.
/// </summary>
public sealed class HttpTokenTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_TopSecretToken0123456789";
    private readonly TempGitRemote _remote = new();
    private readonly TestLogger _log = new(output);

    public void Dispose() => _remote.Dispose();

    [Fact]
    public async Task FetchAsync_HttpServerDemandingTheToken_ClonesAndStoresNoToken()
    {
        _remote.WriteFile("a.yaml", "a");
        var head = _remote.CommitAndPush("Add a");
        await using var server = await GitHttpServer.StartAsync(_remote.Root, "x-access-token", Token);
        using var mirror = new RepositoryMirror(new MirrorOptions(server.UrlFor("remote.git"), "main", _remote.NewFolder("clone"), Token), _log);

        Assert.Equal(head, await mirror.FetchAsync(CancellationToken.None));
        _remote.WriteFile("b.yaml", "b");
        var second = _remote.CommitAndPush("Add b");
        Assert.Equal(second, await mirror.FetchAsync(CancellationToken.None));

        Assert.True(server.AcceptedRequests > 0);
        AssertNoTokenOnDisk(mirror.LocalPath);
        Assert.DoesNotContain(_log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FetchAsync_TokenWrittenIntoTheUrl_IsUsedButNotStored()
    {
        var head = _remote.CommitAndPush("First");
        await using var server = await GitHttpServer.StartAsync(_remote.Root, "deploy", Token);
        var url = server.UrlFor("remote.git").Replace("http://", $"http://deploy:{Token}@", StringComparison.Ordinal);
        using var mirror = new RepositoryMirror(new MirrorOptions(url, "main", _remote.NewFolder("clone")), _log);

        Assert.Equal(head, await mirror.FetchAsync(CancellationToken.None));

        Assert.DoesNotContain(Token, mirror.Remote);
        AssertNoTokenOnDisk(mirror.LocalPath);
        Assert.DoesNotContain(_log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FetchAsync_WrongToken_ThrowsWithoutEitherTokenAndKeepsTheClone()
    {
        var head = _remote.CommitAndPush("First");
        await using var server = await GitHttpServer.StartAsync(_remote.Root, "x-access-token", Token);
        var clone = _remote.NewFolder("clone");
        using (var good = new RepositoryMirror(new MirrorOptions(server.UrlFor("remote.git"), "main", clone, Token), _log))
        {
            await good.FetchAsync(CancellationToken.None);
        }

        const string wrong = "ghp_WrongToken9876543210";
        var refusedBefore = server.RefusedRequests;
        using var bad = new RepositoryMirror(new MirrorOptions(server.UrlFor("remote.git"), "main", clone, wrong), _log);
        var error = await Assert.ThrowsAsync<GitSyncException>(() => bad.FetchAsync(CancellationToken.None));

        output.WriteLine(error.ToString());
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(Token, error.ToString());
        Assert.Equal(head, bad.LocalHead);
        // libgit2 first tries without credentials (one 401), then asks the handler; after the wrong token's 401 it
        // would ask again, and the handler gives up instead of repeating the refused token.
        Assert.Equal(2, server.RefusedRequests - refusedBefore);
    }

    [Theory]
    [InlineData("https://127.0.0.1:1/org/repo.git")]
    [InlineData("https://x-access-token:" + Token + "@127.0.0.1:1/org/repo.git")]
    [InlineData("http://127.0.0.1:1/org/repo.git")]
    public async Task FetchAsync_ConnectionRefused_MessageAndLogsHoldNoToken(string remote)
    {
        using var mirror = new RepositoryMirror(new MirrorOptions(remote, "main", _remote.NewFolder("clone"), remote.Contains(Token) ? null : Token), _log);

        var error = await Assert.ThrowsAsync<GitSyncException>(() => mirror.FetchAsync(CancellationToken.None));

        output.WriteLine(error.ToString());
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.DoesNotContain(Token, error.ToString());
        Assert.DoesNotContain(_log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
        AssertNoTokenOnDisk(mirror.LocalPath);
    }

    [Fact]
    public void MirrorOptions_ToString_HidesTheToken()
    {
        var options = new MirrorOptions("https://example.invalid/r.git", "main", "/tmp/x", Token);

        Assert.DoesNotContain(Token, options.ToString());
    }

    private static void AssertNoTokenOnDisk(string clone)
    {
        // The clone's config (remote URL), FETCH_HEAD and anything else libgit2 writes as text.
        foreach (var file in Directory.EnumerateFiles(clone, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/objects/", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(Token, File.ReadAllText(file));
        }
    }
}
