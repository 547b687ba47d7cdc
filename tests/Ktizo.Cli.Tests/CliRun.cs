namespace Ktizo.Cli.Tests;

/// <summary>Runs `ktizo` in-process through the same entry point as the real program, capturing its output.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Invoke(params string[] args) => Invoke(new Dictionary<string, string>(), args);

    public static CliRun Invoke(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, name => environment.GetValueOrDefault(name));
        var code = KtizoCommand.Run(args, console);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
