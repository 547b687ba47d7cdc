using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Serving;

namespace Ktizo.Gatekeeper.Tests;

public sealed class ServingSnapshotTests
{
    private static readonly Cluster Cluster = new("c", "https://10.0.5.10:6443", "v1.12.0", null, new ClusterDefaults(null, [], null, null));

    [Fact]
    public void NewSnapshot_WithThePreviousOne_ReusesAnswersOfUnchangedConfigsOnly()
    {
        var kept = Config("52:54:00:00:05:11", "kept");
        var before = Config("52:54:00:00:05:12", "before");
        var after = Config("52:54:00:00:05:12", "after");
        var added = Config("52:54:00:00:05:13", "added");
        var first = new ServingSnapshot(new RenderedSet("a", Cluster, [kept, before], []), "a", DateTimeOffset.UnixEpoch);

        var second = new ServingSnapshot(new RenderedSet("b", Cluster, [kept, after, added], []), "b", DateTimeOffset.UnixEpoch, first);

        Assert.Same(first.Configs[kept.Mac], second.Configs[kept.Mac]);
        Assert.NotSame(first.Configs[after.Mac], second.Configs[after.Mac]);
        Assert.Same(after.Pieces, second.Configs[after.Mac].Pieces);
        Assert.Equal("\"sha-after\"", second.Configs[after.Mac].ETag);
        Assert.Same(added, second.Configs[added.Mac].Config);
        Assert.Equal("b", second.Commit);
    }

    private static RenderedConfig Config(string mac, string text)
    {
        var device = new Device($"inventory/devices/{text}.yaml", MacAddress.Parse(mac), text, Role.Worker, default, null, null, null, null, [], new Dictionary<string, string>(), []);
        return new RenderedConfig(device, System.Text.Encoding.UTF8.GetBytes(text), "sha-" + text, "key-" + text);
    }
}
