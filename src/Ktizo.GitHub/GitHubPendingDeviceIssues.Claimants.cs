using Ktizo.Core;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Logging;

namespace Ktizo.GitHub;

/// <summary>
/// Second claimants (docs/device-auth.md): one comment per MAC and episode on the MAC's issue, open or closed
/// (a digest's MAC on the digest), listing the MAC's live flows and what the operator does. The episode is
/// queued durably by the gatekeeper (<see cref="IContestOutbox"/>) and marked reported after the comment. After
/// a start or a failed pass, whether a comment already landed is unknown, so the issue's comments are read
/// for the episode's marker first (a read, not content): a restart neither loses nor repeats a report.
/// At most <see cref="GitHubOptions.MaxClaimantCommentsPerHour"/> comments a sliding hour; the rest are logged.
/// </summary>
public sealed partial class GitHubPendingDeviceIssues
{
    private readonly Queue<DateTimeOffset> _claimantComments = new();
    private bool _claimantsUncertain = true;

    private async Task<int> ReportClaimantsAsync(IReadOnlyList<ContestedMac> due, CancellationToken cancellationToken)
    {
        var reported = 0;
        var unreported = new List<MacAddress>();
        foreach (var contest in due)
        {
            if (contest.AwaitingIssue)
            {
                continue; // its issue is filed first; the report follows on a later pass
            }

            if (contest.IssueNumber is not { } number)
            {
                _logger.LogInformation("Second claimant of {Mac}: it has no issue to comment on (approved before it was ever pending)", contest.Mac);
                await _contests!.MarkReportedAsync(contest.Mac, contest.Since, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var marker = PendingIssueText.ClaimantMarker(contest.Mac, contest.Since);
            if (_claimantsUncertain && await AlreadyCommentedAsync(number, marker, cancellationToken).ConfigureAwait(false))
            {
                await _contests!.MarkReportedAsync(contest.Mac, contest.Since, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!TakeClaimantBudget())
            {
                unreported.Add(contest.Mac);
                await _contests!.MarkReportedAsync(contest.Mac, contest.Since, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var body = PendingIssueText.ClaimantComment(contest);
            await _repo.Pacer.MutateAsync(() => _repo.Client.Issue.Comment.Create(_repo.Owner, _repo.Name, number, body), createsContent: true, cancellationToken).ConfigureAwait(false);
            await _contests!.MarkReportedAsync(contest.Mac, contest.Since, cancellationToken).ConfigureAwait(false);
            reported++;
            _logger.LogInformation("Commented the second claimant of {Mac} on issue #{Issue} ({Flows} live flows)", contest.Mac, number, contest.Claims.Count);
        }

        if (unreported.Count > 0)
        {
            _logger.LogWarning(
                "{Count} second claimants not commented on GitHub ({Limit} an hour; see the device-auth page): {Macs}",
                unreported.Count,
                Options.MaxClaimantCommentsPerHour,
                string.Join(", ", unreported.Take(20)) + (unreported.Count > 20 ? ", …" : string.Empty));
        }

        _claimantsUncertain = false;
        return reported;
    }

    private async Task<bool> AlreadyCommentedAsync(int number, string marker, CancellationToken cancellationToken)
    {
        var comments = await _repo.Pacer.ReadAsync(() => _repo.Client.Issue.Comment.GetAllForIssue(_repo.Owner, _repo.Name, number), cancellationToken).ConfigureAwait(false);
        return comments.Any(c => c.Body?.Contains(marker, StringComparison.Ordinal) == true);
    }

    private bool TakeClaimantBudget()
    {
        var now = _clock.GetUtcNow();
        while (_claimantComments.Count > 0 && now - _claimantComments.Peek() >= TimeSpan.FromHours(1))
        {
            _claimantComments.Dequeue();
        }

        if (_claimantComments.Count >= Options.MaxClaimantCommentsPerHour)
        {
            return false;
        }

        _claimantComments.Enqueue(now);
        return true;
    }
}
