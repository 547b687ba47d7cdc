using System.Net;
using Ktizo.Core;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Observability;

/// <summary>Every log line the gatekeeper writes, as source-generated message templates with named fields.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Config {Result} for {Mac} from {Address}, commit {Commit}")]
    public static partial void ConfigAnswered(ILogger logger, string result, MacAddress mac, IPAddress? address, string? commit);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Config {Result} for {Mac} {Repeats} more times in {Seconds} s, commit {Commit}")]
    public static partial void ConfigRepeated(ILogger logger, string result, MacAddress mac, int repeats, long seconds, string? commit);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "First sighting of {Mac} from {Address} ({Kind})")]
    public static partial void FirstSighting(ILogger logger, MacAddress mac, IPAddress? address, string kind);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Could not record {Mac} in the device store; answered 503")]
    public static partial void StoreFailed(ILogger logger, Exception exception, MacAddress mac);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Device {Mac} registered from {Address}")]
    public static partial void Registered(ILogger logger, MacAddress mac, IPAddress? address);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Serving commit {Commit} ({Approved} approved, {Rejected} rejected; {Rendered} rendered, {Reused} reused in {ElapsedMs} ms) from {Source}")]
    public static partial void Serving(ILogger logger, string commit, int approved, int rejected, int rendered, int reused, long elapsedMs, string source);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Commit {Commit} failed validation with {ErrorCount} errors; still serving {ServedCommit}")]
    public static partial void RenderFailed(ILogger logger, string commit, int errorCount, string? servedCommit);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Commit {Commit}: {Error}")]
    public static partial void RenderError(ILogger logger, string commit, string error);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Fetch from the remote failed ({Failures} in a row), retrying in {RetrySeconds} s: {Error}")]
    public static partial void FetchFailed(ILogger logger, int failures, double retrySeconds, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Sync requested by {Trigger}")]
    public static partial void SyncRequested(ILogger logger, string trigger);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Could not read approvals for commit {Commit}")]
    public static partial void ApprovalsFailed(ILogger logger, Exception exception, string commit);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "The last good commit {Commit} could not be loaded from the local clone")]
    public static partial void LocalLoadFailed(ILogger logger, Exception exception, string commit);

    [LoggerMessage(EventId = 207, Level = LogLevel.Error, Message = "Rendering commit {Commit} threw")]
    public static partial void RenderCrashed(ILogger logger, Exception exception, string commit);

    [LoggerMessage(EventId = 208, Level = LogLevel.Debug, Message = "Could not read which pull request commit {Commit} names")]
    public static partial void PullRequestUnknown(ILogger logger, Exception exception, string commit);

    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "Commit {Commit} changes the config of {Devices} machines")]
    public static partial void RendersChanged(ILogger logger, string commit, int devices);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Could not record which machines commit {Commit} changes; their drift will not name it")]
    public static partial void RenderChangesNotRecorded(ILogger logger, Exception exception, string commit);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Request body rejected with {Status}: {Method} {Path} from {Address}: {Reason}")]
    public static partial void BodyRejected(ILogger logger, int status, string method, string? path, IPAddress? address, string reason);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Webhook refused from {Address}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, IPAddress? address, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Webhook delivery {Delivery} from {Address} replays one already handled; ignored")]
    public static partial void WebhookReplayed(ILogger logger, IPAddress? address, string delivery);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Admin call refused from {Address}: {Reason}")]
    public static partial void AdminRefused(ILogger logger, IPAddress? address, string reason);
}
