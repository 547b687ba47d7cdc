using System.Net;
using Ktizo.Core;
using Microsoft.Extensions.Primitives;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>What the config download asks for a device whose <c>deviceAuth</c> is on.</summary>
public interface IBearerAuthorizer
{
    /// <summary>True when <paramref name="authorization"/> is <c>Bearer &lt;token&gt;</c> with a live token issued for <paramref name="mac"/>.</summary>
    bool Authorize(MacAddress mac, StringValues authorization);

    /// <summary>Records a refused download (shown on the device page).</summary>
    void RecordRefusal(MacAddress mac, IPAddress? address, string reason);
}

/// <summary>Default deny: without device auth wired in, a device that needs a token never gets its config.</summary>
public sealed class DenyingAuthorizer : IBearerAuthorizer
{
    public static readonly DenyingAuthorizer Instance = new();

    public bool Authorize(MacAddress mac, StringValues authorization) => false;

    public void RecordRefusal(MacAddress mac, IPAddress? address, string reason)
    {
    }
}
