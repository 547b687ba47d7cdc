using FsCheck;
using FsCheck.Fluent;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Testing;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Inventory;

public class DeviceFileTextTests
{
    [Fact]
    public void Approved_WithEveryField_WritesKeysInDocumentedOrderAndNormalisesTheMac()
    {
        var text = DeviceFileText.Approved(new ApprovedDeviceFields(
            "52-54-00-12-34-56", "worker-04", "worker", "10.0.5.24/24", "10.0.5.1", "/dev/disk/by-id/nvme-X_1", "enp3s0"));

        Assert.Equal(
            "mac: \"52:54:00:12:34:56\"\nhostname: worker-04\nrole: worker\nip: 10.0.5.24/24\ngateway: \"10.0.5.1\"\ninstallDisk: /dev/disk/by-id/nvme-X_1\ninterface: enp3s0\n",
            text);
    }

    [Fact]
    public void Approved_WithoutOptionalFields_LeavesThemOut()
    {
        var text = DeviceFileText.Approved(new ApprovedDeviceFields("DE-AD-BE-EF-00-01", "w", "worker", "10.0.5.24/24"));

        Assert.Equal("mac: de:ad:be:ef:00:01\nhostname: w\nrole: worker\nip: 10.0.5.24/24\n", text);
    }

    [Fact]
    public void Approved_WhenCalledTwice_GivesTheSameBytes()
    {
        var fields = new ApprovedDeviceFields("525400123456", "worker-04", "worker", "10.0.5.24/24");

        Assert.Equal(DeviceFileText.Approved(fields), DeviceFileText.Approved(fields with { }));
    }

    [Fact]
    public void Rejected_WritesMacStatusAndReason()
    {
        var text = DeviceFileText.Rejected("52:54:00:12:34:56", "unknown laptop: not ours # really");

        Assert.Equal("mac: \"52:54:00:12:34:56\"\nstatus: rejected\nreason: \"unknown laptop: not ours # really\"\n", text);
    }

    [Fact]
    public void Paths_AreTheOnesTheExampleUses()
    {
        Assert.Equal("inventory/devices/worker-04.yaml", DeviceFileText.ApprovedPath("worker-04"));
        Assert.Equal("inventory/devices/rejected-52-54-00-12-34-56.yaml", DeviceFileText.RejectedPath(MacAddress.Parse("52:54:00:12:34:56")));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("Worker")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("x\ny")]
    public void ApprovedPath_WhenHostnameCannotNameAFile_IsNull(string hostname) =>
        Assert.Null(DeviceFileText.ApprovedPath(hostname));

    [Theory]
    [InlineData("worker-04", "worker-04")]
    [InlineData("true", "\"true\"")]
    [InlineData("no", "\"no\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("2024-01-02", "\"2024-01-02\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("a #b", "\"a #b\"")]
    [InlineData("- x", "\"- x\"")]
    [InlineData("x\nrole: controlplane", "\"x\\nrole: controlplane\"")]
    [InlineData("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("bell\a", "\"bell\\x07\"")]
    [InlineData("line\u2028sep", "\"line\\Lsep\"")]
    [InlineData("", "\"\"")]
    [InlineData("key:", "\"key:\"")]
    [InlineData("*alias", "\"*alias\"")]
    [InlineData("&anchor", "\"&anchor\"")]
    [InlineData("!tag", "\"!tag\"")]
    [InlineData("{a: 1}", "\"{a: 1}\"")]
    [InlineData("ünïcode", "\"ünïcode\"")]
    public void Scalar_QuotesWhatIsNotPlainlyAString(string value, string expected) =>
        Assert.Equal(expected, DeviceFileText.Scalar(value));

    [Theory]
    [InlineData("x\nrole: controlplane")]
    [InlineData("a: b\n---\nc: d")]
    [InlineData("\"quoted\"")]
    [InlineData("back\\slash")]
    [InlineData("# comment")]
    [InlineData("\u0085\u2029\uFEFF\u007F\u0001")]
    [InlineData("  leading and trailing  ")]
    public void Scalar_ReadsBackAsExactlyTheValueInOneKey(string value) => AssertRoundTrip(value);

    [Fact]
    public void Scalar_ForAnyString_ReadsBackAsExactlyThatString()
    {
        // Strings without lone surrogates, which UTF-8 cannot carry in any YAML.
        Prop.ForAll(
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !s.Any(char.IsSurrogate)).ToArbitrary(),
            value =>
            {
                AssertRoundTrip(value);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Approved_WhenFileIsAddedToTheExample_ValidatesAndRenders()
    {
        var tree = ExampleRepository.Load();
        var mac = MacAddress.Parse("52:54:00:12:34:56");
        tree.Add(DeviceFileText.ApprovedPath("worker-04")!, DeviceFileText.Approved(new ApprovedDeviceFields(mac.ToString(), "worker-04", "worker", "10.0.5.24/24", "10.0.5.1", "/dev/sdb")));

        var result = Renderer.Render(tree);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var device = result.Set!.Approved[mac].Device;
        Assert.Equal(("worker-04", Role.Worker, "10.0.5.24/24", "10.0.5.1", "/dev/sdb"), (device.Hostname, device.Role, device.Ip.ToString(), device.Gateway?.ToString(), device.InstallDisk));
    }

    [Fact]
    public void Rejected_WhenFileIsAddedToTheExample_IsARejectedDevice()
    {
        var tree = ExampleRepository.Load();
        var mac = MacAddress.Parse("52:54:00:12:34:56");
        tree.Add(DeviceFileText.RejectedPath(mac), DeviceFileText.Rejected("52-54-00-12-34-56", "not ours"));

        var result = Renderer.Render(tree);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(DeviceStatus.Rejected, result.Set!.StatusOf(mac));
        Assert.Equal("not ours", result.Set.Rejected[mac].Reason);
    }

    [Fact]
    public void Approved_WhenHostnameHoldsANewline_IsAValidationErrorNotAnInjectedKey()
    {
        var tree = ExampleRepository.Load();
        tree.Add("inventory/devices/evil.yaml", DeviceFileText.Approved(new ApprovedDeviceFields("52:54:00:12:34:56", "x\nrole: controlplane", "worker", "10.0.5.24/24")));

        var result = Renderer.Render(tree);

        Assert.Equal(["invalid-hostname"], result.Errors.Select(e => e.Code));
    }

    private static void AssertRoundTrip(string value)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("k: " + DeviceFileText.Scalar(value) + "\nother: 1\n"));
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
        Assert.Equal(2, root.Children.Count);
        Assert.Equal(value, Assert.IsType<YamlScalarNode>(root.Children[new YamlScalarNode("k")]).Value);
    }
}
