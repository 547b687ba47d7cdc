using Ktizo.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ktizo.Gatekeeper.Http;

/// <summary>Every problem-details answer the API gives, worded for the person reading it.</summary>
internal static class Problems
{
    private const string MacHelp = "Expected six hex octets: 52:54:00:12:34:56, 52-54-00-12-34-56 or 525400123456 (any case).";

    public static ProblemHttpResult MissingMac(string where) =>
        BadRequest("Missing MAC address", $"No MAC address in {where}. {MacHelp}");

    public static ProblemHttpResult MalformedMac(string value) =>
        BadRequest("Malformed MAC address", $"'{Truncate(value)}' is not a MAC address. {MacHelp}");

    /// <summary>The MAC a body field gave (<paramref name="where"/> names it), or the problem that answers it: missing or malformed.</summary>
    public static ProblemHttpResult? ParseMac(string? value, string where, out MacAddress mac)
    {
        mac = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return MissingMac(where);
        }

        return MacAddress.TryParse(value, out mac) ? null : MalformedMac(value);
    }

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) =>
        TypedResults.Problem(
            $"Send the body as application/json (got '{Truncate(contentType ?? "no content type")}').",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported content type");

    public static ProblemHttpResult TooLarge(int maxBytes) =>
        TypedResults.Problem(
            $"The body is larger than {maxBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large");

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable");

    /// <summary>Echoed input is cut short: a problem body is no place to reflect a megabyte back.</summary>
    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
