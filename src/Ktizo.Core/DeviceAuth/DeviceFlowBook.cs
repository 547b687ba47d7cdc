namespace Ktizo.Core.DeviceAuth;

/// <summary>
/// The OAuth 2.0 device authorization grant (RFC 8628) as the gatekeeper plays it, without I/O: which flows
/// are live, who gets a token, which token opens which MAC's config. The caller persists what changed (see
/// docs/device-auth.md) and restores it after a restart with <see cref="Restore"/>.
/// <para>
/// Rules: a token goes only to a flow of an approved MAC, bound to that MAC (and uuid). In <c>confirm</c>
/// mode only to a flow an administrator confirmed; in <c>first</c> mode also to the single live claimant of a
/// MAC that never had a token (two live claimants block both until one is confirmed). Once a MAC had a
/// token, every later flow needs a confirmation until an administrator re-arms it. A device code yields at
/// most one token. Every collection is bounded by <see cref="DeviceFlowLimits"/>.
/// </para>
/// </summary>
public sealed class DeviceFlowBook(DeviceFlowLimits limits, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DeviceFlow> _byCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceFlow> _byUserCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<MacAddress, List<DeviceFlow>> _byMac = [];
    private readonly HashSet<MacAddress> _issuedMacs = [];

    public DeviceFlowLimits Limits => limits;

    /// <summary>Flows remembered (live, or spent and kept until expiry so a replay is recognised).</summary>
    public int FlowCount
    {
        get
        {
            lock (_lock)
            {
                return _byCode.Count;
            }
        }
    }

    /// <summary>Starts a flow for <paramref name="mac"/>: the answer to <c>POST /device/code</c>.</summary>
    public FlowStart Start(MacAddress mac, string? uuid, string? source, DeviceStanding standing)
    {
        if (standing == DeviceStanding.Rejected)
        {
            return FlowStart.Refused(OAuthErrors.AccessDenied, "This device is rejected.");
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_byCode.Count >= limits.MaxFlows)
            {
                SweepExpired(now);
            }

            if (_byCode.Count >= limits.MaxFlows)
            {
                return FlowStart.Refused(OAuthErrors.TemporarilyUnavailable, "Too many device flows are in progress; retry later.");
            }

            if (_byMac.TryGetValue(mac, out var ofMac))
            {
                foreach (var old in ofMac.Where(f => now >= f.ExpiresAt).ToList())
                {
                    Remove(old);
                }
            }

            var others = LiveCount(mac, now);
            if (others >= limits.MaxFlowsPerMac)
            {
                return FlowStart.Refused(OAuthErrors.TemporarilyUnavailable, "Too many device flows are in progress for this MAC; retry later.");
            }

            var deviceCode = DeviceFlowSecrets.NewSecret();
            string userCode;
            do
            {
                userCode = DeviceFlowSecrets.NewUserCode();
            }
            while (_byUserCode.ContainsKey(userCode));

            var flow = new DeviceFlow
            {
                CodeHash = DeviceFlowSecrets.Hash(deviceCode),
                Mac = mac,
                Uuid = uuid,
                UserCode = userCode,
                Source = source,
                StartedAt = now,
                ExpiresAt = now + limits.DeviceCodeLifetime,
                Interval = limits.Interval,
            };
            Add(flow);
            return new FlowStart(flow.Snapshot(), deviceCode, null, null) { OtherLiveFlows = others };
        }
    }

    /// <summary>Takes back a flow that could not be recorded (its device code was never handed out).</summary>
    public void Forget(string codeHash)
    {
        lock (_lock)
        {
            if (_byCode.TryGetValue(codeHash, out var flow))
            {
                Remove(flow);
            }
        }
    }

    /// <summary>
    /// A token poll: <c>POST /token</c> with <paramref name="deviceCode"/>, from a machine that says it is
    /// <paramref name="mac"/> (and <paramref name="uuid"/>). <paramref name="standing"/> and
    /// <paramref name="mode"/> come from the served commit.
    /// </summary>
    public PollResult Poll(string deviceCode, MacAddress mac, string? uuid, DeviceStanding standing, DeviceAuthMode mode)
    {
        if (!DeviceFlowSecrets.LooksLikeSecret(deviceCode))
        {
            return PollResult.Fail(OAuthErrors.InvalidGrant, "Unknown device code.");
        }

        var hash = DeviceFlowSecrets.Hash(deviceCode);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // The same answer for a code that does not exist and one bound to another machine: nothing to probe.
            if (!_byCode.TryGetValue(hash, out var flow) || flow.Mac != mac || (flow.Uuid is not null && flow.Uuid != uuid))
            {
                return PollResult.Fail(OAuthErrors.InvalidGrant, "Unknown device code.");
            }

            if (flow.Issued)
            {
                return PollResult.Fail(OAuthErrors.InvalidGrant, "This device code was already used.", flow.Snapshot());
            }

            if (now >= flow.ExpiresAt)
            {
                Remove(flow);
                return PollResult.Fail(OAuthErrors.ExpiredToken, "The device code expired; start again.", flow.Snapshot());
            }

            if (standing == DeviceStanding.Rejected)
            {
                Remove(flow);
                return PollResult.Fail(OAuthErrors.AccessDenied, "This device is rejected.", flow.Snapshot());
            }

            if (flow.LastPoll is { } last && now - last < flow.Interval)
            {
                flow.Interval += limits.SlowDownStep;
                flow.LastPoll = now;
                return PollResult.Fail(OAuthErrors.SlowDown, $"Poll at most every {(int)flow.Interval.TotalSeconds} s.", flow.Snapshot());
            }

            flow.LastPoll = now;
            if (standing != DeviceStanding.Approved)
            {
                return PollResult.Fail(OAuthErrors.AuthorizationPending, "The device is not approved yet.", flow.Snapshot());
            }

            var contested = false;
            var grant = mode switch
            {
                DeviceAuthMode.Off => true,
                DeviceAuthMode.Confirm => flow.Confirmed,
                _ => flow.Confirmed || FirstClaimGranted(flow, now, out contested),
            };
            if (!grant)
            {
                return PollResult.Fail(OAuthErrors.AuthorizationPending, "Waiting for an administrator to confirm the code.", flow.Snapshot()) with { Contested = contested };
            }

            return Issue(flow, now);
        }
    }

    /// <summary>Takes back a token that could not be recorded: it was never handed out. The flow stays spent.</summary>
    public void Revoke(string tokenHash)
    {
        lock (_lock)
        {
            _tokens.Remove(tokenHash);
        }
    }

    /// <summary>An administrator confirms the code shown on a console; null when no live flow has it.</summary>
    public DeviceFlow? Confirm(string userCode)
    {
        var shown = DeviceFlowSecrets.NormalizeUserCode(userCode);
        if (shown is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_byUserCode.TryGetValue(shown, out var flow) || !flow.IsLive(now))
            {
                return null;
            }

            flow.Confirmed = true;
            return flow.Snapshot();
        }
    }

    /// <summary>An administrator re-arms <paramref name="mac"/>: its next single claimant gets a token in <c>first</c> mode again.</summary>
    public bool Rearm(MacAddress mac)
    {
        lock (_lock)
        {
            return _issuedMacs.Remove(mac);
        }
    }

    /// <summary>True when <paramref name="mac"/> had a token issued and was not re-armed since.</summary>
    public bool HasIssued(MacAddress mac)
    {
        lock (_lock)
        {
            return _issuedMacs.Contains(mac);
        }
    }

    /// <summary>True when <paramref name="token"/> is a live token issued for <paramref name="mac"/>.</summary>
    public bool Authorize(MacAddress mac, ReadOnlySpan<char> token)
    {
        if (!DeviceFlowSecrets.LooksLikeSecret(token))
        {
            return false;
        }

        var hash = DeviceFlowSecrets.Hash(token);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _tokens.TryGetValue(hash, out var issued) && issued.Mac == mac && now < issued.ExpiresAt;
        }
    }

    /// <summary>The flows still waiting for a token, oldest first (copies).</summary>
    public IReadOnlyList<DeviceFlow> LiveFlows()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _byCode.Values.Where(f => f.IsLive(now)).OrderBy(f => f.StartedAt).ThenBy(f => f.UserCode, StringComparer.Ordinal)
                .Select(f => f.Snapshot()).ToList();
        }
    }

    /// <summary>The flows of <paramref name="mac"/> still waiting for a token, oldest first (copies; at most <see cref="DeviceFlowLimits.MaxFlowsPerMac"/>).</summary>
    public IReadOnlyList<DeviceFlow> LiveFlowsOf(MacAddress mac)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _byMac.TryGetValue(mac, out var flows)
                ? flows.Where(f => f.IsLive(now)).OrderBy(f => f.StartedAt).Select(f => f.Snapshot()).ToList()
                : [];
        }
    }

    /// <summary>Loads what the store remembered; expired entries are dropped.</summary>
    public void Restore(IEnumerable<DeviceFlow> flows, IEnumerable<IssuedToken> tokens, IEnumerable<MacAddress> issuedMacs)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var flow in flows.Where(f => now < f.ExpiresAt && !_byCode.ContainsKey(f.CodeHash)).Take(limits.MaxFlows - _byCode.Count))
            {
                Add(flow);
                if (flow.Issued && _byUserCode.TryGetValue(flow.UserCode, out var owner) && ReferenceEquals(owner, flow))
                {
                    _byUserCode.Remove(flow.UserCode); // spent: its code can no longer be confirmed
                }
            }

            foreach (var token in tokens.Where(t => now < t.ExpiresAt).Take(limits.MaxTokens - _tokens.Count))
            {
                _tokens[token.TokenHash] = token;
            }

            _issuedMacs.UnionWith(issuedMacs);
        }
    }

    private bool FirstClaimGranted(DeviceFlow flow, DateTimeOffset now, out bool contested)
    {
        contested = false;
        if (_issuedMacs.Contains(flow.Mac))
        {
            return false;
        }

        if (LiveCount(flow.Mac, now) == 1)
        {
            return true;
        }

        contested = !flow.ContestReported;
        flow.ContestReported = true;
        return false;
    }

    private PollResult Issue(DeviceFlow flow, DateTimeOffset now)
    {
        if (_tokens.Count >= limits.MaxTokens)
        {
            foreach (var expired in _tokens.Values.Where(t => now >= t.ExpiresAt).ToList())
            {
                _tokens.Remove(expired.TokenHash);
            }

            if (_tokens.Count >= limits.MaxTokens)
            {
                return PollResult.Fail(OAuthErrors.TemporarilyUnavailable, "Too many tokens are live; retry later.", flow.Snapshot());
            }
        }

        var accessToken = DeviceFlowSecrets.NewSecret();
        var token = new IssuedToken(DeviceFlowSecrets.Hash(accessToken), flow.Mac, now + limits.TokenLifetime);
        flow.Issued = true;
        _byUserCode.Remove(flow.UserCode);
        _tokens[token.TokenHash] = token;
        _issuedMacs.Add(flow.Mac);
        return new PollResult(null, null, accessToken, token, flow.Snapshot());
    }

    private int LiveCount(MacAddress mac, DateTimeOffset now)
    {
        if (!_byMac.TryGetValue(mac, out var flows))
        {
            return 0;
        }

        var count = 0;
        foreach (var flow in flows)
        {
            if (flow.IsLive(now))
            {
                count++;
            }
        }

        return count;
    }

    private void SweepExpired(DateTimeOffset now)
    {
        foreach (var flow in _byCode.Values.Where(f => now >= f.ExpiresAt).ToList())
        {
            Remove(flow);
        }
    }

    private void Add(DeviceFlow flow)
    {
        _byCode[flow.CodeHash] = flow;
        _byUserCode[flow.UserCode] = flow;
        if (!_byMac.TryGetValue(flow.Mac, out var flows))
        {
            _byMac[flow.Mac] = flows = [];
        }

        flows.Add(flow);
    }

    private void Remove(DeviceFlow flow)
    {
        _byCode.Remove(flow.CodeHash);
        if (_byUserCode.TryGetValue(flow.UserCode, out var owner) && ReferenceEquals(owner, flow))
        {
            _byUserCode.Remove(flow.UserCode);
        }

        if (_byMac.TryGetValue(flow.Mac, out var flows))
        {
            flows.Remove(flow);
            if (flows.Count == 0)
            {
                _byMac.Remove(flow.Mac);
            }
        }
    }
}
