using Ktizo.Core;

namespace Ktizo.Store;

/// <summary>What the gatekeeper has observed about one machine. Whether it is approved is git's business, not the store's.</summary>
public sealed record DeviceRecord(
    MacAddress Mac,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long RequestCount,
    string? LastAddress,
    string? LastUserAgent,
    string? Uuid,
    bool Registered,
    DateTimeOffset? LastDownload,
    long DownloadCount);

/// <summary>What a request from a machine was.</summary>
public enum ObservationKind
{
    /// <summary>Asked for a config and did not get one (pending, rejected, nothing loaded yet).</summary>
    Request,

    /// <summary>Asked for a config and got it.</summary>
    Download,

    /// <summary>Announced itself through <c>POST /api/v1/devices/register</c>.</summary>
    Register,
}
