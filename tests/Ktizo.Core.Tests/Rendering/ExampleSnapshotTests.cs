using System.Text;
using Ktizo.Core.Rendering;
using Ktizo.Testing;
using Snapshooter;
using Snapshooter.Xunit;

namespace Ktizo.Core.Tests.Rendering;

/// <summary>
/// The exact bytes every example device receives, committed under __snapshots__/. A change to a template
/// or to the renderer shows up here as a reviewed diff (CI runs with SNAPSHOOTER_STRICT_MODE=true).
/// </summary>
public class ExampleSnapshotTests
{
    public static TheoryData<string> Macs() => new(Renderer.Render(ExampleRepository.Load()).Set!.Approved.Keys.Order().Select(m => m.ToFileName()));

    [Theory]
    [MemberData(nameof(Macs))]
    public void Render_ExampleDevice_MatchesSnapshot(string mac)
    {
        var set = Renderer.Render(ExampleRepository.Load()).Set!;
        var config = set.Approved[MacAddress.Parse(mac)];

        Snapshot.Match(Encoding.UTF8.GetString(config.Yaml), SnapshotNameExtension.Create(mac));
    }

    [Fact]
    public void Manifest_ForExample_MatchesSnapshot()
    {
        var set = Renderer.Render(ExampleRepository.Load("0123456789abcdef0123456789abcdef01234567")).Set!;

        Snapshot.Match(Encoding.UTF8.GetString(Manifest.Write(set)));
    }
}
