using System.Net;
using System.Net.Sockets;

namespace Ktizo.Gatekeeper.Boot;

/// <summary>
/// Where <c>boot.ipxe</c> points machines when no <c>PublicBaseUrl</c> is set: the address and port the
/// request's connection arrived at, which the machine demonstrably reached and the client does not choose.
/// The Host header, which the client does choose, is used only when the server has no connection address
/// (an in-process test host), and only when it is a host[:port]. A proxy in front needs <c>PublicBaseUrl</c>.
/// </summary>
internal static class RequestAuthority
{
    /// <summary>host:port for the script's URLs; null when the Host header is not a host[:port] (answer 400).</summary>
    public static string? Of(HttpRequest request)
    {
        if (!IsHostAndPort(request.Host))
        {
            return null;
        }

        var connection = request.HttpContext.Connection;
        if (connection.LocalIpAddress is { } local && connection.LocalPort > 0)
        {
            if (local.IsIPv4MappedToIPv6)
            {
                local = local.MapToIPv4();
            }

            // Without the scope id (fe80::1%eth0): the machine names its own interface.
            var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{new IPAddress(local.GetAddressBytes())}]" : local.ToString();
            return $"{host}:{connection.LocalPort}";
        }

        return request.Host.Value;
    }

    private static bool IsHostAndPort(HostString host) =>
        host.HasValue
        && Uri.CheckHostName(host.Host) != UriHostNameType.Unknown
        && (host.Port is null || host.Port is > 0 and <= IPEndPoint.MaxPort)
        && host.Value.Length == host.Host.Length + (host.Port is { } port ? 1 + port.ToString(System.Globalization.CultureInfo.InvariantCulture).Length : 0);
}
