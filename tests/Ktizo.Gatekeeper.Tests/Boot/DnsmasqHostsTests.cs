using System.Net;
using Ktizo.Core;
using Ktizo.Core.Boot;
using Ktizo.Core.Inventory;

namespace Ktizo.Gatekeeper.Tests.Boot;

public class DnsmasqHostsTests
{
    [Fact]
    public void Render_WithDevicesInAnyOrder_WritesOneLinePerDeviceOrderedByMac()
    {
        var text = DnsmasqHosts.Render([Device("52:54:00:00:05:21", "worker-01", "10.0.5.21/24"), Device("52-54-00-00-05-11", "cp-01", "10.0.5.11/24")], "abc123");

        Assert.Equal(
            "# dnsmasq dhcp-hostsfile written by `ktizo dnsmasq-hosts` from commit abc123. Do not edit: change inventory/devices/ instead.\n"
            + "52:54:00:00:05:11,10.0.5.11,cp-01\n"
            + "52:54:00:00:05:21,10.0.5.21,worker-01\n",
            text);
    }

    [Fact]
    public void Line_WithIpv6Address_BracketsIt() =>
        Assert.Equal("52:54:00:00:05:11,[fd00:5::11],cp-01", DnsmasqHosts.Line(Device("525400000511", "cp-01", "fd00:5::11/64")));

    [Fact]
    public void Render_WithNoDevices_WritesOnlyTheHeader() =>
        Assert.Equal(1, DnsmasqHosts.Render([], null).Count(c => c == '\n'));

    private static Device Device(string mac, string hostname, string ip)
    {
        var prefix = new IpPrefix(IPAddress.Parse(ip[..ip.IndexOf('/')]), int.Parse(ip[(ip.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return new Device($"inventory/devices/{hostname}.yaml", MacAddress.Parse(mac), hostname, Role.Worker, prefix,
            IPAddress.Parse("10.0.5.1"), null, null, null, [], new Dictionary<string, string>(), []);
    }
}
