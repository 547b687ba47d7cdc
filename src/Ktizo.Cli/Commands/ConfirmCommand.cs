using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ktizo.Cli.Gatekeeper;
using Ktizo.Core;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo confirm CODE [--gatekeeper URL]</c>: confirms the user code a machine shows on its console, so its
/// device flow gets the token that opens its config (docs/device-auth.md). Calls the gatekeeper's admin API with
/// the admin token from <c>KTIZO_ADMINTOKEN</c> or the file named by <c>KTIZO_ADMINTOKENFILE</c>: never a
/// flag, which would sit in shell history and the process list.
/// </summary>
public static class ConfirmCommand
{
    public const string TokenVariable = GatekeeperApi.AdminTokenVariable;
    public const string TokenFileVariable = GatekeeperApi.AdminTokenVariable + "FILE";

    public static Command Create(CliConsole console)
    {
        var code = new Argument<string>("CODE") { Description = "The user code on the machine's console, e.g. BCDF-GHJK (any case, hyphen optional)" };
        var gatekeeper = GatekeeperApi.Option();
        var command = new Command("confirm", $"Confirm the code a machine shows on its console so it receives its config (admin token from {TokenVariable} or {TokenFileVariable})")
        {
            code, gatekeeper,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, () =>
            RunAsync(console, parse.GetValue(code)!, parse.GetValue(gatekeeper), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string code, string? gatekeeper, CancellationToken cancellationToken)
    {
        var token = GatekeeperApi.Token(console, TokenVariable);
        using var api = new GatekeeperApi(GatekeeperApi.Url(console, gatekeeper)!, token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device-auth/confirm")
        {
            Content = JsonContent.Create(new { user_code = code }),
        };
        var response = await api.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var answer = response;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                var flow = JsonDocument.Parse(body).RootElement;
                await console.Out.WriteLineAsync(
                    $"Confirmed {flow.GetProperty("user_code").GetString()} for {flow.GetProperty("mac").GetString()}"
                    + (flow.TryGetProperty("source", out var source) ? $" (from {source.GetString()})" : string.Empty)
                    + ": the machine gets its token at its next poll.").ConfigureAwait(false);
                return ExitCodes.Ok;
            case HttpStatusCode.NotFound:
                throw new KtizoException($"no live device flow shows the code '{code}': it expired or was used; reboot the machine for a new one");
            case HttpStatusCode.BadRequest:
                throw new KtizoException($"'{code}' is not a user code: eight letters such as BCDF-GHJK");
            case HttpStatusCode.Unauthorized:
                throw new KtizoException($"the gatekeeper refused the admin token (check {TokenVariable} / {TokenFileVariable})");
            default:
                throw new KtizoException($"the gatekeeper answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}
