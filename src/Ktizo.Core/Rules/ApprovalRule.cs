using System.Net;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;

namespace Ktizo.Core.Rules;

/// <summary>What a rule does with a machine it matches (docs/rules.md).</summary>
public enum RuleAction
{
    /// <summary>Open the approving change (pull request, or a branch of the local repository) for a person to merge.</summary>
    Propose,

    /// <summary>Open it and merge it once the validate check passed (or fast-forward the local branch).</summary>
    Merge,
}

/// <summary>
/// One entry of <c>inventory/rules.yaml</c>: which machines it matches, and the device file it proposes for them.
/// Rules are tried in file order; the first match wins.
/// </summary>
public sealed record ApprovalRule(
    string Name,
    RuleMatch Match,
    RuleAction Action,
    Role Role,
    HostnamePattern Hostname,
    AddressPool Pool,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Patches,
    int MaxPerHour,
    SourceLocation At)
{
    /// <summary>A machine proposals per rule per sliding hour when the rule does not say: small, so a mistake stays small.</summary>
    public const int DefaultMaxPerHour = 10;

    /// <summary>The most <c>maxPerHour</c> may be: GitHub creates about 500 pieces of content an hour, three per proposal.</summary>
    public const int MaxMaxPerHour = 100;
}

/// <summary>
/// A rule's <c>match:</c>. Every condition given must hold (and); a condition with a list holds when one item does (or).
/// A rule without any condition is refused by the reader: default deny.
/// </summary>
public sealed record RuleMatch(
    IReadOnlyList<MacPrefix> MacPrefixes,
    IReadOnlyList<MacRange> MacRanges,
    IReadOnlyList<UuidPattern> Uuids,
    IReadOnlyList<IpPrefix> SourceSubnets)
{
    public bool Matches(Sighting sighting)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        return (MacPrefixes.Count == 0 || MacPrefixes.Any(p => p.Contains(sighting.Mac)))
            && (MacRanges.Count == 0 || MacRanges.Any(r => r.Contains(sighting.Mac)))
            && (Uuids.Count == 0 || (sighting.Uuid is { } uuid && Uuids.Any(u => u.Matches(uuid))))
            && (SourceSubnets.Count == 0 || (sighting.Source is { } source && SourceSubnets.Any(s => s.Contains(Unmapped(source)))));
    }

    /// <summary>Kestrel reports IPv4 clients on a dual-stack socket as ::ffff:a.b.c.d; a rule names them as a.b.c.d.</summary>
    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>What the gatekeeper knew of a machine when it first saw it: the request's MAC, uuid and source address.</summary>
public sealed record Sighting(MacAddress Mac, string? Uuid, IPAddress? Source);
