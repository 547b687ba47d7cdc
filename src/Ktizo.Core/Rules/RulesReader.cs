using System.Globalization;
using Ktizo.Core.Files;
using Ktizo.Core.Inventory;
using Ktizo.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Rules;

/// <summary>
/// Reads <c>inventory/rules.yaml</c> (docs/rules.md), reporting every problem at its file:line:column like every
/// other inventory file. The file is optional: without it there are no rules and every new machine stays pending.
/// </summary>
public static class RulesReader
{
    public const string RulesFile = "inventory/rules.yaml";

    private static readonly string[] RootKeys = ["rules"];
    private static readonly string[] RuleKeys = ["name", "match", "action", "role", "hostname", "pool", "labels", "patches", "maxPerHour"];
    private static readonly string[] MatchKeys = ["macPrefix", "macRange", "uuid", "sourceSubnet"];
    private static readonly string[] PoolKeys = ["subnet", "range"];
    private static readonly string[] Actions = ["propose", "merge"];

    /// <summary>The rules, or <see cref="RuleSet.Empty"/> when the file is absent; null when it has an error.</summary>
    /// <param name="cluster">When given, a pool holding one of the cluster's own addresses is an error.</param>
    public static RuleSet? Read(IFileTree tree, Cluster? cluster, Diagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var file = tree.Read(RulesFile);
        if (file is null)
        {
            return RuleSet.Empty;
        }

        var before = diagnostics.Count;
        var root = InventoryReader.ReadMapping(file, RulesFile, diagnostics, required: true, RootKeys);
        if (root is null)
        {
            return null;
        }

        var rules = new List<ApprovalRule>();
        var node = root.Get("rules");
        if (node is YamlSequenceNode sequence)
        {
            foreach (var item in sequence.Children)
            {
                if (item is not YamlMappingNode mapping)
                {
                    diagnostics.Add("invalid-type", "every rule must be a mapping (name, match, action, role, hostname, pool, …)", RulesFile, item);
                    continue;
                }

                if (ReadRule(tree, new MappingReader(mapping, RulesFile, RuleKeys, diagnostics, "rules"), cluster) is { } rule)
                {
                    rules.Add(rule);
                }
            }
        }
        else if (node is not null && node is not YamlScalarNode { Value: "" or "~" or "null" })
        {
            diagnostics.Add("invalid-type", "'rules' must be a list of rules", RulesFile, node);
        }

        foreach (var duplicate in rules.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var later in duplicate.Skip(1))
            {
                diagnostics.Add("duplicate-rule-name", $"rule name '{later.Name}' is also used at line {duplicate.First().At.Line}: commits and proposals name the rule, so names are unique", later.At);
            }
        }

        return diagnostics.Count > before ? null : new RuleSet(rules);
    }

    private static ApprovalRule? ReadRule(IFileTree tree, MappingReader map, Cluster? cluster)
    {
        var d = map.Diagnostics;
        var before = d.Count;
        var (name, nameNode) = map.Scalar("name", required: true);
        if (name is not null && !ValueRules.Hostname().IsMatch(name))
        {
            d.Add("invalid-rule-name", $"rule name '{InventoryReader.Printable(name)}' must be 1–63 lower-case letters, digits or '-' (it names branches and commits)", map.File, nameNode);
        }

        var match = ReadMatch(map);
        var (actionText, actionNode) = map.Scalar("action", required: true);
        var action = RuleAction.Propose;
        if (actionText is "merge")
        {
            action = RuleAction.Merge;
        }
        else if (actionText is not null and not "propose")
        {
            var hint = Suggest.Closest(actionText, Actions) is { } s ? $"did you mean '{s}'? " : string.Empty;
            d.Add("invalid-action", $"action '{InventoryReader.Printable(actionText)}' is not known: {hint}use 'propose' or 'merge'", map.File, actionNode);
        }

        var (roleText, roleNode) = map.Scalar("role", required: true);
        Role role = default;
        if (roleText is not null && !Roles.TryParse(roleText, out role))
        {
            var hint = Suggest.Closest(roleText, ["controlplane", "worker"]) is { } s ? $"did you mean '{s}'? " : string.Empty;
            d.Add("unknown-role", $"role '{InventoryReader.Printable(roleText)}' is not known: {hint}use 'controlplane' or 'worker'", map.File, roleNode);
        }

        var (hostnameText, hostnameNode) = map.Scalar("hostname", required: true);
        HostnamePattern? hostname = null;
        if (hostnameText is not null && !HostnamePattern.TryParse(hostnameText, out hostname))
        {
            d.Add("invalid-hostname-pattern", $"hostname '{InventoryReader.Printable(hostnameText)}' must be lower-case letters, digits and '-' around one {{n}} or {{n:02}} (e.g. worker-{{n:02}}), and give RFC 1123 labels", map.File, hostnameNode);
        }

        var pool = ReadPool(map, cluster);
        var labels = InventoryReader.Labels(map);
        var patches = InventoryReader.Patches(map, tree);
        var (maxText, maxNode) = map.Scalar("maxPerHour", required: false);
        var maxPerHour = ApprovalRule.DefaultMaxPerHour;
        if (maxText is not null && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out maxPerHour) || maxPerHour < 1 || maxPerHour > ApprovalRule.MaxMaxPerHour))
        {
            d.Add("invalid-max-per-hour", $"maxPerHour '{InventoryReader.Printable(maxText)}' must be a whole number from 1 to {ApprovalRule.MaxMaxPerHour}", map.File, maxNode);
        }

        if (d.Count > before || name is null || match is null || hostname is null || pool is null)
        {
            return null;
        }

        return new ApprovalRule(name, match, action, role, hostname, pool, labels, patches, maxPerHour, Diagnostics.At(map.File, map.Node));
    }

    private static RuleMatch? ReadMatch(MappingReader rule)
    {
        var d = rule.Diagnostics;
        if (rule.Get("match") is null)
        {
            d.Add("missing-field", "required field 'match' is missing: a rule without conditions would approve every machine", rule.File, rule.Node);
            return null;
        }

        var map = rule.Mapping("match", MatchKeys);
        if (map is null)
        {
            return null;
        }

        var before = d.Count;
        var prefixes = Each(map, "macPrefix", (string t, out MacPrefix v) => MacPrefix.TryParse(t, out v), "invalid-mac-prefix", "must be the first 1 to 5 octets of a MAC, e.g. 52:54:00");
        var ranges = Each(map, "macRange", (string t, out MacRange v) => MacRange.TryParse(t, out v), "invalid-mac-range", "must be two MACs, lowest first, joined by '-', e.g. 52:54:00:00:10:00-52:54:00:00:10:ff");
        var uuids = Each(map, "uuid", (string t, out UuidPattern v) => UuidPattern.TryParse(t, out v!), "invalid-uuid-pattern", "must be hex digits and '-' with '*' (any run) or '?' (one character), e.g. 4c4c4544-*");
        var subnets = Each(map, "sourceSubnet", (string t, out IpPrefix v) => IpPrefix.TryParse(t, out v), "invalid-subnet", "must be a subnet with prefix length, e.g. 10.0.5.0/24");
        if (d.Count > before)
        {
            return null;
        }

        if (prefixes.Count + ranges.Count + uuids.Count + subnets.Count == 0)
        {
            d.Add("empty-match", "'match' names no condition: give macPrefix, macRange, uuid or sourceSubnet (a rule matching every machine is refused)", map.File, map.Node);
            return null;
        }

        return new RuleMatch(prefixes, ranges, uuids, subnets);
    }

    private delegate bool Parser<T>(string text, out T value);

    /// <summary>A condition given as one value or a list of values.</summary>
    private static List<T> Each<T>(MappingReader map, string key, Parser<T> parse, string code, string shape)
    {
        var node = map.Get(key);
        var items = node switch
        {
            null => [],
            YamlScalarNode { Value: { } one } => [(one, (YamlNode)node)],
            YamlSequenceNode => map.ScalarList(key),
            _ => null,
        };
        if (items is null)
        {
            map.Diagnostics.Add("invalid-type", $"'{key}' must be a value or a list of values", map.File, node);
            return [];
        }

        var result = new List<T>();
        foreach (var (text, at) in items)
        {
            if (parse(text, out var value))
            {
                result.Add(value);
            }
            else
            {
                map.Diagnostics.Add(code, $"{key} '{InventoryReader.Printable(text)}' {shape}", map.File, at);
            }
        }

        return result;
    }

    private static AddressPool? ReadPool(MappingReader rule, Cluster? cluster)
    {
        if (rule.Get("pool") is null)
        {
            rule.Diagnostics.Add("missing-field", "required field 'pool' is missing: the subnet (and range) to take addresses from", rule.File, rule.Node);
            return null;
        }

        var map = rule.Mapping("pool", PoolKeys);
        if (map is null)
        {
            return null;
        }

        var (subnet, subnetNode) = map.Scalar("subnet", required: true);
        var (range, rangeNode) = map.Scalar("range", required: false);
        if (subnet is null)
        {
            return null;
        }

        if (!AddressPool.TryCreate(subnet, range, out var pool, out var problem))
        {
            map.Diagnostics.Add("invalid-pool", problem, map.File, range is not null && IpPrefix.TryParse(subnet, out _) ? rangeNode : subnetNode);
            return null;
        }

        // A whole subnet holds the gateway by nature, and allocation skips the cluster's addresses; a range written out
        // to hold one of them is a mistake.
        foreach (var own in cluster is null || range is null ? [] : RuleAllocation.ClusterAddresses(cluster).Distinct())
        {
            if (pool.Contains(own))
            {
                map.Diagnostics.Add("pool-overlaps-static", $"the pool {pool} holds {own}, an address of the cluster itself (vip, default gateway or endpoint): leave it out with 'range'", map.File, rangeNode ?? subnetNode);
            }
        }

        return pool;
    }
}
