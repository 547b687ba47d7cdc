using System.Text.RegularExpressions;
using Ktizo.Core.Drift;

namespace Ktizo.Core.Tests.Drift;

/// <summary>
/// The live-apply tables as a listing with the Talos source of every entry: a change to a table must change this
/// listing too, and no entry exists without a file:line at a tag.
/// </summary>
public sealed partial class LiveApplyTableTests
{
    // The parts CanApplyImmediate leaves out of its comparison, in its order; the same in every supported minor.
    private static readonly string[] Parts =
    [
        "debug", "cluster",
        "machine.ca", "machine.acceptedCAs", "machine.time", "machine.certSANs", "machine.install", "machine.network",
        "machine.sysfs", "machine.sysctls", "machine.logging", "machine.controlPlane", "machine.kubelet", "machine.kernel",
        "machine.registries", "machine.pods", "machine.seccompProfiles", "machine.nodeAnnotations", "machine.nodeLabels",
        "machine.nodeTaints",
        "machine.features.kubernetesTalosAPIAccess", "machine.features.kubePrism", "machine.features.hostDNS",
        "machine.features.imageCache", "machine.features.nodeAddressSortAlgorithm",
        LiveField.OtherDocuments,
    ];

    public static TheoryData<string, string, int[]> Tables => new()
    {
        // Minor, the tag read, and each part's line in v1alpha1_runtime.go at that tag.
        { "1.11", "v1.11.6", [164, 165, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 188, 189, 190, 191, 192, 130] },
        { "1.12", "v1.12.11", [164, 165, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 188, 189, 190, 191, 192, 130] },
        { "1.13", "v1.13.9", [175, 176, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 199, 200, 201, 202, 203, 141] },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Table_ListsEveryPartWithItsTalosSourceLine(string minor, string tag, int[] lines)
    {
        var expected = Parts.Zip(lines, (part, line) => $"{part} | internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go:{line} at {tag}");

        Assert.Equal(expected, LiveApplyTable.ByMinor[minor].Select(f => $"{f.Path} | {f.Source}"));
    }

    [Fact]
    public void Table_CoversTheMinorsRedactionCovers()
    {
        Assert.Equal(Ktizo.Core.Redaction.RedactionTable.ByMinor.Keys.Order(), LiveApplyTable.ByMinor.Keys.Order());
    }

    [Fact]
    public void EveryEntry_NamesAFileLineAtATag()
    {
        Assert.All(LiveApplyTable.ByMinor.Values.SelectMany(f => f), f => Assert.Matches(SourcePattern(), f.Source));
    }

    [Theory]
    [InlineData("v1.11.6", "Talos v1.11")]
    [InlineData("1.12", "Talos v1.12")]
    [InlineData("v1.13.0", "Talos v1.13")]
    public void For_ASupportedVersion_TakesItsMinorsTable(string version, string name)
    {
        var table = LiveApplyTable.For(version);

        Assert.Equal(name, table.Name);
        Assert.Null(table.Note);
        Assert.Same(LiveApplyTable.ByMinor[name["Talos v".Length..]], table.Fields);
    }

    [Theory]
    [InlineData("v1.14.0", "Talos v1.14 has no apply-mode table here; the apply mode follows Talos v1.13's rule, the newest Ktizo knows.")]
    [InlineData("latest", "Talos version 'latest' is not a version; the apply mode follows Talos v1.13's rule, the newest Ktizo knows.")]
    [InlineData(null, "Talos version '' is not a version; the apply mode follows Talos v1.13's rule, the newest Ktizo knows.")]
    public void For_AVersionWithoutATable_TakesTheNewestAndSaysSo(string? version, string note)
    {
        var table = LiveApplyTable.For(version);

        Assert.Equal("Talos v1.13", table.Name);
        Assert.Equal(note, table.Note);
    }

    [GeneratedRegex(@"^internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime\.go:\d+ at v1\.1\d\.\d+$")]
    private static partial Regex SourcePattern();
}
