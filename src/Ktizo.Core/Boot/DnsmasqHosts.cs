using System.Net.Sockets;
using System.Text;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Boot;

/// <summary>
/// dnsmasq <c>dhcp-host</c> reservations from the inventory, so the address a machine gets from DHCP
/// is the one its Talos config sets. dnsmasq reads the result with <c>dhcp-hostsfile=</c> and rereads it on
/// SIGHUP; in that file a line is what follows <c>dhcp-host=</c> in a config file.
/// </summary>
public static class DnsmasqHosts
{
    /// <summary>
    /// One <c>MAC,ADDRESS,HOSTNAME</c> line per approved device, ordered by MAC so the same
    /// inventory always gives the same bytes (no needless reloads). Rejected devices get no line: an
    /// address reservation is not a refusal, the gatekeeper's 403 is.
    /// </summary>
    public static string Render(IEnumerable<Device> devices, string? commit)
    {
        var text = new StringBuilder()
            .Append("# dnsmasq dhcp-hostsfile written by `ktizo dnsmasq-hosts`")
            .Append(commit is null ? "" : $" from commit {commit}")
            .Append(". Do not edit: change inventory/devices/ instead.\n");
        foreach (var device in devices.OrderBy(d => d.Mac))
        {
            text.Append(Line(device)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One reservation, as dnsmasq's <c>dhcp-host</c> takes it: <c>52:54:00:00:05:11,10.0.5.11,cp-01</c>.</summary>
    public static string Line(Device device)
    {
        var address = device.Ip.Address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{device.Ip.Address}]"
            : device.Ip.Address.ToString();
        // Hostname and MAC are validated (RFC 1123 label, six octets), so no comma or newline can get in.
        return $"{device.Mac},{address},{device.Hostname}";
    }
}
