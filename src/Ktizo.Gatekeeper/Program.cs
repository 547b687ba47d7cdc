using Ktizo.Core;
using Ktizo.Gatekeeper;

// `ktizo serve` calls the same GatekeeperApp.Build; this entry point exists for running the project
// directly (and for WebApplicationFactory<Program>). Exit code 2: bad settings, message on stderr.
try
{
    var app = GatekeeperApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (KtizoException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

public partial class Program;
