namespace Ktizo.Core.DeviceAuth;

/// <summary>
/// Lifetimes and bounds of device flows. The defaults are documented in docs/device-auth.md: ten minutes
/// is long enough to walk to a console and read a code, short enough that a leaked device code is soon
/// worthless; an hour of token covers Talos's download retries after a slow install start.
/// </summary>
public sealed record DeviceFlowLimits
{
    public static readonly DeviceFlowLimits Default = new();

    /// <summary>How long a device code (and its user code) can be polled and confirmed.</summary>
    public TimeSpan DeviceCodeLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an issued access token opens the config download.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The polling interval announced to the client; RFC 8628 §3.2 defaults to 5 s too.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What <c>slow_down</c> adds to a flow's interval (RFC 8628 §3.5: 5 s, as the client does).</summary>
    public TimeSpan SlowDownStep { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Live flows one MAC may hold: a real machine needs one; a few allow for reboots mid-flow.</summary>
    public int MaxFlowsPerMac { get; init; } = 4;

    /// <summary>Live flows in total: a boot storm of thousands fits, a flood cannot grow memory without bound.</summary>
    public int MaxFlows { get; init; } = 10_000;

    /// <summary>Live tokens in total (each one was issued to an approved device, so this is a safety net).</summary>
    public int MaxTokens { get; init; } = 10_000;
}
