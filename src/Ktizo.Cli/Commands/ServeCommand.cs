using System.CommandLine;
using Ktizo.Gatekeeper;
using Ktizo.Gatekeeper.Settings;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo serve</c>: runs the gatekeeper. Its options are the gatekeeper's settings (<see cref="KtizoSettings.Serve"/>,
/// docs/gatekeeper.md), so `ktizo serve --help` lists each with its default and environment variable.
/// </summary>
public static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliConsole console)
    {
        var command = new Command(Name, "Run the gatekeeper: serve approved configs from git, 403 for everything else (settings: docs/gatekeeper.md)");
        SettingFlags.AddTo(command, KtizoSettings.Serve);
        command.SetAction((parse, _) => CommandErrors.RunAsync(console, async () =>
        {
            var app = GatekeeperApp.Build(SettingFlags.Values(parse, KtizoSettings.Serve), configureServices: null, configureApp: null);
            // The host handles SIGINT and SIGTERM itself and shuts down gracefully (KtizoCommand.Run leaves them to it).
            await app.RunAsync();
            return ExitCodes.Ok;
        }));
        return command;
    }
}
