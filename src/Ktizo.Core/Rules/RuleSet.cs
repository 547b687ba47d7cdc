using System.Net;
using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rules;

/// <summary>
/// The rules of one commit's <c>inventory/rules.yaml</c>, in file order. Pure: the gatekeeper brings what it
/// saw and what is taken, and gets back the rule and the device it would propose.
/// </summary>
public sealed class RuleSet(IReadOnlyList<ApprovalRule> rules)
{
    public static readonly RuleSet Empty = new([]);

    public IReadOnlyList<ApprovalRule> Rules { get; } = rules;

    /// <summary>The first rule that matches, or null (the machine stays pending, as without rules).</summary>
    public ApprovalRule? Match(Sighting sighting) => Rules.FirstOrDefault(r => r.Match.Matches(sighting));

    public ApprovalRule? Find(string name) => Rules.FirstOrDefault(r => r.Name == name);
}

/// <summary>The device a rule proposes for one machine.</summary>
public sealed record RuleProposal(ApprovalRule Rule, MacAddress Mac, string Hostname, IpPrefix Ip)
{
    /// <summary>The device file's values, as <c>ktizo approve</c> would take them, plus the rule's labels and patches.</summary>
    public ApprovedDeviceFields Fields => new(Mac.ToString(), Hostname, Rule.Role.Name(), Ip.ToString())
    {
        Labels = Rule.Labels,
        Patches = Rule.Patches,
    };
}

/// <summary>Picks the next free hostname and address for a rule.</summary>
public static class RuleAllocation
{
    /// <summary>
    /// The lowest free name of the rule's pattern and the lowest free address of its pool. <paramref name="hostnames"/>
    /// and <paramref name="addresses"/> are everything taken: the served commit's devices, the open proposals, and the
    /// cluster's own addresses (<see cref="ClusterAddresses"/>). Null when either is exhausted.
    /// </summary>
    public static RuleProposal? Next(ApprovalRule rule, MacAddress mac, IReadOnlySet<string> hostnames, IReadOnlySet<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Hostname.NextFree(hostnames) is { } hostname && rule.Pool.NextFree(addresses) is { } ip
            ? new RuleProposal(rule, mac, hostname, ip)
            : null;
    }

    /// <summary>Addresses that are no device's to take: the VIP, the default gateway, the endpoint's host when it is an address.</summary>
    public static IEnumerable<IPAddress> ClusterAddresses(Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.Vip is { } vip)
        {
            yield return vip;
        }

        if (IPAddress.TryParse(cluster.Defaults.Gateway, out var gateway))
        {
            yield return gateway;
        }

        if (Uri.TryCreate(cluster.Endpoint, UriKind.Absolute, out var endpoint) && IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var host))
        {
            yield return host;
        }
    }
}
