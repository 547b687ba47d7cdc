using Ktizo.Core.Registry;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

/// <summary>
/// The pending issue of a machine an approval rule proposed before the issue existed (docs/rules.md): the sighting carries
/// the rule's pull request, and the issue names it when it is created, with no further call.
/// </summary>
public sealed class RuleLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NewIssue_OfASightingAProposalExistsFor_NamesTheRuleAndItsPullRequest()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        var sightings = Harness.Sightings(2);
        outbox.AddSighting(sightings[0] with { ProposedBy = new RuleLink("rack-a", 42) });
        outbox.AddSighting(sightings[1]);

        await h.Service(outbox).RunPassAsync(CancellationToken.None);

        var linked = h.StandIn.Issues.Single(i => i.Title == PendingIssueText.Title(sightings[0].Mac));
        var plain = h.StandIn.Issues.Single(i => i.Title == PendingIssueText.Title(sightings[1].Mac));
        Assert.Contains("Proposed by rule rack-a in #42", linked.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Proposed by rule", plain.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(h.StandIn.Requests, r => r.Method == "PATCH");
    }
}
