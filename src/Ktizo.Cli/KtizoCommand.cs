using System.CommandLine;
using Ktizo.Cli.Commands;

namespace Ktizo.Cli;

/// <summary>The `ktizo` command tree. Tests parse against <see cref="Create"/> with their own console.</summary>
public static class KtizoCommand
{
    public static RootCommand Create(CliConsole console) =>
        new("Ktizo: GitOps provisioning for bare-metal Talos Linux nodes")
        {
            ValidateCommand.Create(console),
            RenderCommand.Create(console),
            DiffCommand.Create(console),
            ServeCommand.Create(console),
            DnsmasqHostsCommand.Create(console),
            ApproveCommand.Create(console),
            RejectCommand.Create(console),
            PrCommentCommand.Create(console),
            ClusterSecrets.SecretsCommand.Create(console),
            ConfirmCommand.Create(console),
            DriftCommand.Create(console),
        };

    /// <summary>Parses and runs; a command line that does not parse is a usage error (exit 2), not a failure of the repository.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        var parse = Create(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            console.Error.WriteLine("Run 'ktizo --help' for usage.");
            return ExitCodes.UsageOrIo;
        }

        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        if (parse.CommandResult.Command.Name == ServeCommand.Name)
        {
            // The host takes SIGINT and SIGTERM itself: it stops listening, drains and flushes what machines were
            // seen doing. System.CommandLine's own handler would hold the signal for its 2 s timeout first, then
            // end the process mid-shutdown with exit code 143, losing the last observations.
            invocation.ProcessTerminationTimeout = null;
        }

        return parse.Invoke(invocation);
    }
}
