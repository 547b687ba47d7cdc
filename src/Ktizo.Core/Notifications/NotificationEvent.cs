namespace Ktizo.Core.Notifications;

/// <summary>
/// One thing that happened, as every receiver is told it. <see cref="Id"/> is fixed when the event is made and
/// travels with every retry, so a receiver can drop what it already has. Nothing in it is secret: MACs, hostnames,
/// commits, counts and a sentence built from them (a failed commit's error codes, never its messages).
/// </summary>
/// <param name="Id">32 lower-case hex digits.</param>
/// <param name="Type">One of <see cref="NotificationTypes"/>.</param>
/// <param name="Text">The human sentence (also what <c>format: slack</c> sends).</param>
/// <param name="Count">A summary's number of machines.</param>
/// <param name="Macs">A summary's first MACs (at most <see cref="NotificationEvents.SummarySample"/>).</param>
public sealed record NotificationEvent(
    string Id,
    string Type,
    DateTimeOffset Time,
    MacAddress? Mac,
    string? Hostname,
    string? Commit,
    string Text,
    int? Count = null,
    IReadOnlyList<MacAddress>? Macs = null);
