using System.Net;
using Ktizo.Core.Validation;

namespace Ktizo.Core.Inventory;

/// <summary>Rules that span device files: one file per device, unique hostnames and addresses, reachable gateways.</summary>
public static class InventoryRules
{
    public static void Check(IReadOnlyList<DeviceSource> devices, Cluster? cluster, Diagnostics diagnostics)
    {
        var byMac = new Dictionary<MacAddress, DeviceSource>();
        var byHostname = new Dictionary<string, DeviceSource>(StringComparer.Ordinal);
        var byAddress = new Dictionary<IPAddress, DeviceSource>();
        IPAddress? defaultGateway = cluster?.Defaults.Gateway is { } g ? IPAddress.Parse(g) : null;

        // Files arrive sorted by path, so "the other file" in a message is always the earlier one.
        foreach (var device in devices)
        {
            if (!byMac.TryAdd(device.Mac, device))
            {
                var first = byMac[device.Mac];
                diagnostics.Add("duplicate-mac", $"MAC {device.Mac} is also in {first.File} (line {first.MacAt.Line}): a device has exactly one file", device.MacAt);
            }

            if (device.Hostname is { } hostname && !byHostname.TryAdd(hostname, device))
            {
                var first = byHostname[hostname];
                diagnostics.Add("duplicate-hostname", $"hostname '{hostname}' is also used by {first.File} (line {first.HostnameAt.Line})", device.HostnameAt);
            }

            if (device.Ip is not { } ip)
            {
                continue;
            }

            if (!byAddress.TryAdd(ip.Address, device))
            {
                var first = byAddress[ip.Address];
                diagnostics.Add("duplicate-ip", $"address {ip.Address} is also used by {first.File} (line {first.IpAt.Line})", device.IpAt);
            }

            var gateway = device.Gateway ?? defaultGateway;
            if (gateway is not null && !ip.Contains(gateway))
            {
                var (where, source) = device.Gateway is not null
                    ? (device.GatewayAt, "gateway")
                    : (device.IpAt, $"the cluster default gateway from {InventoryReader.ClusterFile}");
                diagnostics.Add("gateway-outside-subnet", $"{source} {gateway} is outside this device's subnet {ip}: the default route would be unreachable", where);
            }
        }
    }
}
