using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Core.Rules;
using Ktizo.Core.Validation;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rules;

public sealed class RulesReaderTests
{
    private const string Good = """
        rules:
          - name: lab-workers
            match:
              macPrefix: 52:54:00
              sourceSubnet: [10.0.5.0/24, 10.0.6.0/24]
            action: merge
            role: worker
            hostname: worker-{n:02}
            pool:
              subnet: 10.0.5.0/24
              range: 10.0.5.100-10.0.5.149
            labels:
              topology.kubernetes.io/zone: rack-a
            maxPerHour: 5
          - name: dell-uuid
            match:
              uuid: 4c4c4544-*
              macRange: 52-54-00-00-10-00-52-54-00-00-10-ff
            action: propose
            role: controlplane
            hostname: cp-{n}
            pool:
              subnet: 10.0.5.0/24
        """;

    private static (RuleSet? Rules, IReadOnlyList<Diagnostic> Errors) Read(string text)
    {
        var tree = ExampleRepository.Load().Add(RulesReader.RulesFile, text);
        var diagnostics = new Diagnostics();
        var cluster = InventoryReader.ReadCluster(tree, diagnostics);
        Assert.Empty(diagnostics.Items);
        var rules = RulesReader.Read(tree, cluster, diagnostics);
        return (rules, diagnostics.Items);
    }

    [Fact]
    public void Read_WhenFileIsAbsent_GivesNoRules()
    {
        var diagnostics = new Diagnostics();
        var rules = RulesReader.Read(ExampleRepository.Load().Remove(RulesReader.RulesFile), null, diagnostics);
        Assert.Same(RuleSet.Empty, rules);
        Assert.Empty(diagnostics.Items);
    }

    [Fact]
    public void Read_ExampleInventory_HasOnlyCommentedRulesAndValidates()
    {
        var result = Renderer.Render(ExampleRepository.Load());
        Assert.Empty(result.Errors);
        Assert.Empty(result.Set!.Rules.Rules);
        Assert.NotNull(ExampleRepository.Load().Read(RulesReader.RulesFile));
    }

    [Fact]
    public void Read_GoodFile_GivesRulesInOrderWithTheirValues()
    {
        var (rules, errors) = Read(Good);
        Assert.Empty(errors);
        Assert.Equal(["lab-workers", "dell-uuid"], rules!.Rules.Select(r => r.Name));
        var first = rules.Rules[0];
        Assert.Equal(RuleAction.Merge, first.Action);
        Assert.Equal(Role.Worker, first.Role);
        Assert.Equal(5, first.MaxPerHour);
        Assert.Equal("rack-a", first.Labels["topology.kubernetes.io/zone"]);
        Assert.Equal("10.0.5.100-10.0.5.149/24", first.Pool.ToString());
        Assert.Equal(ApprovalRule.DefaultMaxPerHour, rules.Rules[1].MaxPerHour);
        Assert.Equal("10.0.5.1-10.0.5.254/24", rules.Rules[1].Pool.ToString());
        Assert.Equal(new SourceLocation(RulesReader.RulesFile, 2, 5), first.At);
    }

    [Fact]
    public void Match_FirstMatchingRuleWins_AndAllConditionsMustHold()
    {
        var (rules, _) = Read(Good);
        var inLab = System.Net.IPAddress.Parse("10.0.6.7");
        Assert.Equal("lab-workers", rules!.Match(new Sighting(MacAddress.Parse("52:54:00:00:10:01"), "4c4c4544-0001", inLab))!.Name);
        // Outside the source subnets: the first rule fails, the second matches by range and uuid.
        Assert.Equal("dell-uuid", rules.Match(new Sighting(MacAddress.Parse("52:54:00:00:10:01"), "4C4C4544-0001", System.Net.IPAddress.Parse("192.168.1.2")))!.Name);
        // Mapped IPv4 from a dual-stack socket counts as the IPv4 address.
        Assert.Equal("lab-workers", rules.Match(new Sighting(MacAddress.Parse("52:54:00:99:10:01"), null, inLab.MapToIPv6()))!.Name);
        // No uuid, wrong source: nothing matches, the machine stays pending.
        Assert.Null(rules.Match(new Sighting(MacAddress.Parse("52:54:00:00:10:01"), null, System.Net.IPAddress.Parse("192.168.1.2"))));
        Assert.Null(rules.Match(new Sighting(MacAddress.Parse("00:11:22:00:10:01"), "4c4c4544-1", inLab)));
    }

    [Theory]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n", "missing-field", 2, 5)]
    [InlineData("rules:\n  - name: a\n    match: {}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "empty-match", 3, 12)]
    [InlineData("rules:\n  - name: a\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "missing-field", 2, 5)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00:00:00:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-mac-prefix", 3, 24)]
    [InlineData("rules:\n  - name: a\n    match: {macRange: 52:54:00:00:00:09-52:54:00:00:00:01}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-mac-range", 3, 23)]
    [InlineData("rules:\n  - name: a\n    match: {uuid: \"(a+)+$\"}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-uuid-pattern", 3, 19)]
    [InlineData("rules:\n  - name: a\n    match: {sourceSubnet: 10.0.5.0}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-subnet", 3, 27)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: merg\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-action", 4, 13)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: workr\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "unknown-role", 5, 11)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: -w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-hostname-pattern", 6, 15)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: worker\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-hostname-pattern", 6, 15)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: \"w-{n}\\nrole: controlplane\"\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-hostname-pattern", 6, 15)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24, range: 10.0.6.1-10.0.6.9}\n", "invalid-pool", 7, 40)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24, range: 10.0.5.9-10.0.5.1}\n", "invalid-pool", 7, 40)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24, range: 10.0.5.5-10.0.5.20}\n", "pool-overlaps-static", 7, 40)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n    maxPerHour: 0\n", "invalid-max-per-hour", 8, 17)]
    [InlineData("rules:\n  - name: A_b\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n", "invalid-rule-name", 2, 11)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n    hostnmae: x\n", "unknown-key", 8, 5)]
    [InlineData("rules:\n  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n    patches: [templates/patches/none/x.yaml]\n", "missing-file", 8, 15)]
    [InlineData("rules:\n  - &r {name: a}\n", "yaml-alias", 2, 5)]
    [InlineData("rules: 3\n", "invalid-type", 1, 8)]
    public void Read_BadRule_IsReportedAtItsLineAndColumn(string text, string code, int line, int column)
    {
        var (rules, errors) = Read(text);
        Assert.Null(rules);
        var error = Assert.Single(errors, e => e.Code == code);
        Assert.Equal(new SourceLocation(RulesReader.RulesFile, line, column), error.Location);
    }

    [Fact]
    public void Read_DuplicateNames_AreRefusedAtTheLaterRule()
    {
        const string rule = "  - name: a\n    match: {macPrefix: 52:54:00}\n    action: propose\n    role: worker\n    hostname: w-{n}\n    pool: {subnet: 10.0.5.0/24}\n";
        var (rules, errors) = Read("rules:\n" + rule + rule);
        Assert.Null(rules);
        Assert.Equal(new SourceLocation(RulesReader.RulesFile, 8, 5), Assert.Single(errors, e => e.Code == "duplicate-rule-name").Location);
    }

    [Fact]
    public void Render_WithABadRulesFile_FailsTheCommit()
    {
        var result = Renderer.Render(ExampleRepository.Load().Add(RulesReader.RulesFile, "rules:\n  - name: a\n"));
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Location.File == RulesReader.RulesFile && e.Code == "missing-field");
    }
}
