using System.CommandLine;
using Ktizo.Gatekeeper;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo serve</c>: runs the gatekeeper. Its flags are the gatekeeper's own (docs/gatekeeper.md) and are
/// passed through untouched, so `ktizo serve` and running the gatekeeper project take the same settings.
/// </summary>
public static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliConsole console)
    {
        var command = new Command(Name, "Run the gatekeeper: serve approved configs from git, 403 for everything else (flags: docs/gatekeeper.md)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, _) => CommandErrors.RunAsync(console, async () =>
        {
            var app = GatekeeperApp.Build([.. parse.UnmatchedTokens]);
            // The host handles SIGINT and SIGTERM itself and shuts down gracefully (KtizoCommand.Run leaves them to it).
            await app.RunAsync();
            return ExitCodes.Ok;
        }));
        return command;
    }
}
