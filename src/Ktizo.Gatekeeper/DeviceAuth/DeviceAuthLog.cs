using System.Net;
using Ktizo.Core;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>The device-flow log lines. Never a device code or token: only MACs, user codes and addresses.</summary>
internal static partial class DeviceAuthLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Device flow started for {Mac} (uuid {Uuid}) from {Address}: user code {UserCode}")]
    public static partial void FlowStarted(ILogger logger, MacAddress mac, string? uuid, string? address, string userCode);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Device flow for {Mac} refused: {Error}")]
    public static partial void FlowRefused(ILogger logger, MacAddress mac, string error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Token issued to {Mac} (user code {UserCode}, {How})")]
    public static partial void TokenIssued(ILogger logger, MacAddress mac, string userCode, string how);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Two live device flows claim {Mac} (user code {UserCode} from {Address}): both wait for a confirmation")]
    public static partial void Contested(ILogger logger, MacAddress mac, string userCode, string? address);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "User code {UserCode} for {Mac} confirmed by {By}")]
    public static partial void Confirmed(ILogger logger, string userCode, MacAddress mac, string by);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Config refused to {Mac} from {Address}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, MacAddress mac, IPAddress? address, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "Could not record the device flow of {Mac}; answered 503")]
    public static partial void StoreFailed(ILogger logger, Exception exception, MacAddress mac);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Second claimant of {Mac}: a device flow from {Address} (uuid {Uuid}) started while {Others} other flow(s) of that MAC are live")]
    public static partial void SecondClaimant(ILogger logger, MacAddress mac, string? address, string? uuid, int others);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Device auth of {Mac} re-armed by commit {Commit} (deviceAuthRearm: {Value}; it {Had} a token)")]
    public static partial void RearmedByCommit(ILogger logger, MacAddress mac, string commit, string value, string had);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Device auth of {Mac} re-armed by {By} (it {Had} a token)")]
    public static partial void Rearmed(ILogger logger, MacAddress mac, string by, string had);
}
