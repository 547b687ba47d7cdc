using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ktizo.Core.Notifications;

/// <summary>
/// Makes each event with its sentence and id. Events that follow from a commit (approved, rejected, failed) get an
/// id derived from what they say, so the same commit announced again after a restart carries the same id; the
/// others get the id their caller drew once (<see cref="NewId"/>) and stored with them.
/// </summary>
public static class NotificationEvents
{
    /// <summary>How many MACs a summary lists; the count says how many there were.</summary>
    public const int SummarySample = 20;

    public static NotificationEvent Pending(string id, MacAddress mac, DateTimeOffset time, string? commit) =>
        new(id, NotificationTypes.DevicePending, time, mac, null, commit,
            $"New machine {mac} asked for a config; it is pending until a device file for it is merged.");

    /// <summary>The first sightings folded out of the minute starting at <paramref name="minute"/>.</summary>
    public static NotificationEvent PendingSummary(string id, DateTimeOffset minute, int count, IReadOnlyList<MacAddress> sample) =>
        new(id, NotificationTypes.DevicePendingSummary, minute, null, null, null,
            string.Create(CultureInfo.InvariantCulture, $"{count} more new machines asked for a config in the minute from {minute:yyyy-MM-dd HH:mm} UTC; they are pending."),
            count, [.. sample.Take(SummarySample)]);

    public static NotificationEvent Approved(MacAddress mac, string? hostname, string commit, DateTimeOffset time) =>
        new(StableId(NotificationTypes.DeviceApproved, mac.ToString(), commit), NotificationTypes.DeviceApproved, time, mac, hostname, commit,
            $"Machine {Named(mac, hostname)} was approved by commit {Short(commit)}.");

    public static NotificationEvent Rejected(MacAddress mac, string? hostname, string commit, DateTimeOffset time) =>
        new(StableId(NotificationTypes.DeviceRejected, mac.ToString(), commit), NotificationTypes.DeviceRejected, time, mac, hostname, commit,
            $"Machine {Named(mac, hostname)} was rejected by commit {Short(commit)}.");

    /// <param name="codes">The failure's error codes (never the messages, which may quote a file).</param>
    public static NotificationEvent CommitFailed(string commit, int errorCount, IEnumerable<string> codes, string? served, DateTimeOffset time)
    {
        var distinct = codes.Distinct(StringComparer.Ordinal).Take(5).ToList();
        var still = served is null ? "nothing is served yet" : $"commit {Short(served)} stays served";
        return new(StableId(NotificationTypes.CommitFailed, commit), NotificationTypes.CommitFailed, time, null, null, commit,
            string.Create(CultureInfo.InvariantCulture, $"Commit {Short(commit)} failed validation with {errorCount} error{(errorCount == 1 ? "" : "s")} ({string.Join(", ", distinct)}); {still}."));
    }

    public static NotificationEvent ClaimRefused(string id, MacAddress mac, string? hostname, string? commit, bool hadToken, DateTimeOffset time) =>
        new(id, NotificationTypes.ClaimRefused, time, mac, hostname, commit,
            $"A config download for {Named(mac, hostname)} was refused: {(hadToken ? "its bearer token was not issued for this MAC" : "it sent no bearer token")}.");

    /// <summary>A fresh id: 128 random bits in hex.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The id of the event described by <paramref name="parts"/>: the first 128 bits of their SHA-256.</summary>
    public static string StableId(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..32];

    private static string Named(MacAddress mac, string? hostname) => hostname is null ? mac.ToString() : $"{hostname} ({mac})";

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
