namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>RFC 8628 §3.2: the answer to <c>POST /device/code</c> (snake_case on the wire).</summary>
public sealed record DeviceCodeResponse(string DeviceCode, string UserCode, string VerificationUri, int ExpiresIn, int Interval);

/// <summary>RFC 6749 §5.1: the answer to a successful <c>POST /token</c>.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

/// <summary>RFC 6749 §5.2: an error of either endpoint.</summary>
public sealed record OAuthErrorResponse(string Error, string? ErrorDescription);

/// <summary>Body of <c>POST /api/v1/device-auth/confirm</c>.</summary>
public sealed record ConfirmRequest(string? UserCode);

/// <summary>Body of <c>POST /api/v1/device-auth/rearm</c>.</summary>
public sealed record RearmRequest(string? Mac);

/// <summary>A live device flow as the API and the page show it (never its device code).</summary>
public sealed record DeviceFlowView(string Mac, string? Uuid, string UserCode, string? Source, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, bool Confirmed);
