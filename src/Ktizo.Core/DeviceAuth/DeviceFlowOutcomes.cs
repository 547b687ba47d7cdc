namespace Ktizo.Core.DeviceAuth;

/// <summary>RFC 6749 §5.2 / RFC 8628 §3.5 error codes, spelled as on the wire.</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string AuthorizationPending = "authorization_pending";
    public const string SlowDown = "slow_down";
    public const string AccessDenied = "access_denied";
    public const string ExpiredToken = "expired_token";

    /// <summary>RFC 6749 §4.1.2.1: the server cannot take the request now (a bound is reached).</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}

/// <summary>What a device request got: a new flow and its device code (shown once, never stored), or an error.</summary>
public sealed record FlowStart(DeviceFlow? Flow, string? DeviceCode, string? Error, string? Description)
{
    /// <summary>Live flows of the same MAC when this one started: more than zero means a second claimant.</summary>
    public int OtherLiveFlows { get; init; }

    public static FlowStart Refused(string error, string description) => new(null, null, error, description);
}

/// <summary>What a token poll got: a token (shown once, never stored) or an RFC error code.</summary>
public sealed record PollResult(string? Error, string? Description, string? AccessToken, IssuedToken? Token, DeviceFlow? Flow)
{
    /// <summary>True the first time this poll found two live claimants of the flow's MAC: raise the alert once.</summary>
    public bool Contested { get; init; }

    public static PollResult Fail(string error, string description, DeviceFlow? flow = null) => new(error, description, null, null, flow);
}
