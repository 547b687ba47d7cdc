using Ktizo.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// <c>GET /api/v1/devices?limit=&amp;after=</c>: pages in MAC order, at most <see cref="MaxLimit"/> devices each, the
/// next page's URL in <c>next</c> (issue 15, finding 5: the list never grows with the number of invented MACs).
/// </summary>
internal readonly record struct DevicePaging(int Limit, MacAddress? After)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static (DevicePaging Paging, ProblemHttpResult? Problem) Read(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && !(int.TryParse(limitText.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                 && limit is >= 1 and <= MaxLimit))
        {
            return (default, Problems.BadRequest("Bad limit", $"'limit' must be a whole number from 1 to {MaxLimit} (default {DefaultLimit})."));
        }

        MacAddress? after = null;
        if (query.TryGetValue("after", out var afterText))
        {
            if (!MacAddress.TryParse(afterText.ToString(), out var mac))
            {
                return (default, Problems.MalformedMac(afterText.ToString()));
            }

            after = mac;
        }

        return (new DevicePaging(limit, after), null);
    }

    public static string? NextLink(DevicePaging paging, MacAddress? next) =>
        next is { } mac ? $"/api/v1/devices?limit={paging.Limit}&after={Uri.EscapeDataString(mac.ToString())}" : null;
}
