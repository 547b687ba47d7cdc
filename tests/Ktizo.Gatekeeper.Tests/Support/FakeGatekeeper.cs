using Ktizo.Core.Files;
using Ktizo.Gatekeeper.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// A gatekeeper on a real Kestrel whose git is an in-memory <see cref="FakeRepositorySource"/> and whose
/// renderer is <see cref="MiniRenderer"/> (or one given): for tests about serving, not about git.
/// </summary>
public sealed class FakeGatekeeper : IAsyncDisposable
{
    private readonly TempFolder _data = new("ktizo-data");
    private int _commits;

    private FakeGatekeeper(FakeRepositorySource source) => Source = source;

    public FakeRepositorySource Source { get; }

    public GatekeeperHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public string DataFolder => _data.Path;

    public static async Task<FakeGatekeeper> StartAsync(
        ITestOutputHelper output, IEnumerable<(string Path, string Content)> files, IEnumerable<string>? extraArgs = null, IConfigRenderer? renderer = null,
        Action<IServiceCollection>? services = null, System.Collections.Concurrent.ConcurrentQueue<string>? log = null, bool reachable = true)
    {
        // Unreachable: the gatekeeper starts with nothing to serve, and the test waits for the commit once it sets Reachable.
        var source = new FakeRepositorySource { Reachable = reachable };
        var gatekeeper = new FakeGatekeeper(source);
        var first = gatekeeper.Commit(files);
        gatekeeper.Host = await GatekeeperHost.StartAsync(
            output,
            gatekeeper._data.Path,
            gatekeeper._data.Sub("data"),
            extraArgs,
            collection =>
            {
                collection.AddSingleton<IRepositorySource>(source);
                collection.AddSingleton<IConfigRenderer>(renderer ?? new MiniRenderer());
                services?.Invoke(collection);
            },
            log);
        if (reachable)
        {
            await gatekeeper.Host.WaitForCommitAsync(first);
        }

        return gatekeeper;
    }

    /// <summary>Puts a new commit with exactly <paramref name="files"/> (plus cluster.yaml) on the fake remote.</summary>
    public string Commit(IEnumerable<(string Path, string Content)> files)
    {
        var tree = new InMemoryFileTree($"{Interlocked.Increment(ref _commits):x40}").Add("inventory/cluster.yaml", MiniRenderer.ClusterFile);
        foreach (var (path, content) in files)
        {
            tree.Add(path, content);
        }

        return Source.Commit(tree);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
