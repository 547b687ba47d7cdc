using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Security;

/// <summary>What the log says about access at start: who can read devices, never the tokens themselves.</summary>
internal static partial class AccessLog
{
    public static void AtStart(AccessTokens tokens, ILogger logger)
    {
        if (!tokens.ReadingEnabled)
        {
            Closed(logger);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "The device list and page are closed: set ViewerToken or AdminToken to read devices")]
    private static partial void Closed(ILogger logger);
}
