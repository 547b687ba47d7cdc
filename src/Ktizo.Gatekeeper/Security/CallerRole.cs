namespace Ktizo.Gatekeeper.Security;

/// <summary>Who a request comes from, as far as the gatekeeper can tell. Ordered: each role may do what the ones below it may.</summary>
public enum CallerRole
{
    /// <summary>No token, or a wrong one: the public routes only (docs/gatekeeper.md, "Security").</summary>
    Anonymous = 0,

    /// <summary>The ViewerToken: reads devices (list, one device, the page) and the readiness detail.</summary>
    Viewer = 1,

    /// <summary>The AdminToken: everything a viewer may, and sync, approve and reject.</summary>
    Admin = 2,
}

/// <summary>A request's role, and whether it presented a token that matched nothing (answered <c>invalid_token</c>).</summary>
public readonly record struct Caller(CallerRole Role, bool WrongToken)
{
    public bool MayRead => Role >= CallerRole.Viewer;

    public bool IsAdmin => Role == CallerRole.Admin;
}
