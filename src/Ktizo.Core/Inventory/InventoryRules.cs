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

    /// <summary>
    /// The cluster's <c>vip:</c> is shared by the control-plane nodes over layer 2, so it must lie in each one's
    /// subnet and be none of their own addresses (Talos would announce it, but no node could answer on it).
    /// </summary>
    public static void CheckVip(IReadOnlyList<Device> approved, Cluster? cluster, Diagnostics diagnostics)
    {
        if (cluster?.Vip is not { } vip)
        {
            return;
        }

        foreach (var device in approved.Where(d => d.Role == Role.ControlPlane))
        {
            if (device.Ip.Address.Equals(vip))
            {
                diagnostics.Add("vip-is-device-address", $"vip {vip} is also the address of control-plane device {device.Hostname} ({device.File}); the shared address must be one no node has", cluster.VipAt);
            }
            else if (!device.Ip.Contains(vip))
            {
                diagnostics.Add("vip-outside-subnet", $"vip {vip} is outside control-plane device {device.Hostname}'s subnet {device.Ip} ({device.File}); a layer-2 VIP must be on the nodes' own network", cluster.VipAt);
            }
        }
    }
}
