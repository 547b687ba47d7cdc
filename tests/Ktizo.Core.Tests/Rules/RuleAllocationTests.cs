using System.Net;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Rules;
using Ktizo.Core.Validation;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rules;

public sealed class RuleAllocationTests
{
    private static ApprovalRule Rule(string hostname = "worker-{n:02}", string subnet = "10.0.5.0/24", string? range = "10.0.5.20-10.0.5.23")
    {
        Assert.True(HostnamePattern.TryParse(hostname, out var pattern));
        Assert.True(AddressPool.TryCreate(subnet, range, out var pool, out var problem), problem);
        return new ApprovalRule(
            "r", new RuleMatch([], [], [], []), RuleAction.Propose, Role.Worker, pattern, pool,
            new Dictionary<string, string>(), [], ApprovalRule.DefaultMaxPerHour, default);
    }

    private static HashSet<IPAddress> Addresses(params string[] addresses) => [.. addresses.Select(IPAddress.Parse)];

    [Fact]
    public void Next_TakesTheLowestFreeNameAndAddress()
    {
        var proposal = RuleAllocation.Next(Rule(), MacAddress.Parse("52:54:00:00:00:01"), new HashSet<string> { "worker-01", "worker-03" }, Addresses("10.0.5.20", "10.0.5.22"));
        Assert.NotNull(proposal);
        Assert.Equal("worker-02", proposal.Hostname);
        Assert.Equal("10.0.5.21/24", proposal.Ip.ToString());
    }

    [Fact]
    public void Next_WhenThePoolIsExhausted_GivesNothing()
    {
        var proposal = RuleAllocation.Next(Rule(), MacAddress.Parse("52:54:00:00:00:01"), new HashSet<string>(), Addresses("10.0.5.20", "10.0.5.21", "10.0.5.22", "10.0.5.23"));
        Assert.Null(proposal);
    }

    [Fact]
    public void Next_WithoutRange_SkipsNetworkAddressAndCluster()
    {
        var tree = ExampleRepository.Load();
        var cluster = InventoryReader.ReadCluster(tree, new Diagnostics())!;
        var taken = Addresses("10.0.5.2", "10.0.5.3");
        taken.UnionWith(RuleAllocation.ClusterAddresses(cluster));
        var proposal = RuleAllocation.Next(Rule(range: null), MacAddress.Parse("52:54:00:00:00:01"), new HashSet<string>(), taken);
        Assert.Equal("10.0.5.4/24", proposal!.Ip.ToString());
        Assert.Contains(IPAddress.Parse("10.0.5.1"), RuleAllocation.ClusterAddresses(cluster));
        Assert.Contains(IPAddress.Parse("10.0.5.10"), RuleAllocation.ClusterAddresses(cluster));
    }

    [Fact]
    public void Next_InIPv6_CountsUpFromTheRangeStart()
    {
        var rule = Rule(subnet: "fd00:5::/64", range: "fd00:5::ff-fd00:5::1ff");
        var proposal = RuleAllocation.Next(rule, MacAddress.Parse("52:54:00:00:00:01"), new HashSet<string>(), Addresses("fd00:5::ff"));
        Assert.Equal("fd00:5::100/64", proposal!.Ip.ToString());
    }

    [Theory]
    [InlineData("worker-{n:02}", 1, "worker-01")]
    [InlineData("worker-{n:02}", 123, "worker-123")]
    [InlineData("n{n}x", 7, "n7x")]
    [InlineData("{n:03}", 5, "005")]
    public void HostnamePattern_FormatsTheNumber(string pattern, int n, string expected)
    {
        Assert.True(HostnamePattern.TryParse(pattern, out var parsed));
        Assert.Equal(expected, parsed.Format(n));
        Assert.Equal(pattern.Replace("{n:01}", "{n}", StringComparison.Ordinal), parsed.ToString());
    }

    [Theory]
    [InlineData("worker")]
    [InlineData("Worker-{n}")]
    [InlineData("w-{n}-{n}")]
    [InlineData("-{n}")]
    [InlineData("{n}-")]
    [InlineData("w-{n:2}")]
    [InlineData("w_{n}")]
    public void HostnamePattern_RefusesWhatCannotGiveHostnames(string pattern) =>
        Assert.False(HostnamePattern.TryParse(pattern, out _));

    [Fact]
    public void Proposal_FieldsWriteLabelsAndPatchesIntoTheDeviceFile()
    {
        var rule = Rule() with { Labels = new Dictionary<string, string> { ["zone"] = "a", ["app"] = "" }, Patches = ["templates/patches/extra/x.yaml"] };
        var proposal = RuleAllocation.Next(rule, MacAddress.Parse("52-54-00-00-00-01"), new HashSet<string>(), Addresses())!;
        Assert.Equal(
            "mac: \"52:54:00:00:00:01\"\nhostname: worker-01\nrole: worker\nip: 10.0.5.20/24\nlabels:\n  app: \"\"\n  zone: a\npatches:\n  - templates/patches/extra/x.yaml\n",
            DeviceFileText.Approved(proposal.Fields));
    }

    [Theory]
    [InlineData("52:54:00", "52:54:00:12:34:56", true)]
    [InlineData("525400", "52:54:00:12:34:56", true)]
    [InlineData("52-54-01", "52:54:00:12:34:56", false)]
    [InlineData("52", "52:54:00:12:34:56", true)]
    public void MacPrefix_MatchesLeadingOctets(string prefix, string mac, bool expected)
    {
        Assert.True(MacPrefix.TryParse(prefix, out var parsed));
        Assert.Equal(expected, parsed.Contains(MacAddress.Parse(mac)));
    }

    [Theory]
    [InlineData("4c4c4544-*", "4C4C4544-0042-4D10", true)]
    [InlineData("*-0042-*", "4c4c4544-0042-4d10", true)]
    [InlineData("4c4c4544-????", "4c4c4544-0042", true)]
    [InlineData("4c4c4544-????", "4c4c4544-00421", false)]
    [InlineData("ab*", "4c4c", false)]
    public void UuidPattern_IsAGlob(string pattern, string uuid, bool expected)
    {
        Assert.True(UuidPattern.TryParse(pattern, out var parsed));
        Assert.Equal(expected, parsed.Matches(uuid));
    }
}
