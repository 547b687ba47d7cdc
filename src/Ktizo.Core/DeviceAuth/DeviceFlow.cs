namespace Ktizo.Core.DeviceAuth;

/// <summary>
/// One device authorization (RFC 8628), as remembered: the device code only as its hash, bound to the MAC
/// (and the uuid when the machine sent one). Mutable only under <see cref="DeviceFlowBook"/>'s lock.
/// </summary>
public sealed class DeviceFlow
{
    public required string CodeHash { get; init; }

    public required MacAddress Mac { get; init; }

    public string? Uuid { get; init; }

    /// <summary>As shown on the console, <c>XXXX-XXXX</c>.</summary>
    public required string UserCode { get; init; }

    /// <summary>The address the device request came from, for the person deciding whom to confirm.</summary>
    public string? Source { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The polling interval the client must keep; grows with every <c>slow_down</c>.</summary>
    public TimeSpan Interval { get; set; }

    /// <summary>An administrator confirmed the user code.</summary>
    public bool Confirmed { get; set; }

    /// <summary>A token went to this flow: its device code is spent.</summary>
    public bool Issued { get; set; }

    /// <summary>The last poll (not persisted: after a restart the first poll is never "too fast").</summary>
    internal DateTimeOffset? LastPoll { get; set; }

    /// <summary>Set once a second claimant was reported for this flow, so the alert is raised once.</summary>
    internal bool ContestReported { get; set; }

    public bool IsLive(DateTimeOffset now) => !Issued && now < ExpiresAt;

    /// <summary>A copy for readers outside the lock (the page, the store).</summary>
    public DeviceFlow Snapshot() => (DeviceFlow)MemberwiseClone();
}

/// <summary>An issued access token, kept as its hash.</summary>
public sealed record IssuedToken(string TokenHash, MacAddress Mac, DateTimeOffset ExpiresAt);

/// <summary>Where the MAC stands in the served commit, as far as a flow cares.</summary>
public enum DeviceStanding
{
    /// <summary>Not in git (pending or never seen): wait for approval.</summary>
    NotApproved,

    Approved,

    Rejected,
}
