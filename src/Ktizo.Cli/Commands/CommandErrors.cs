using Ktizo.Core;

namespace Ktizo.Cli.Commands;

/// <summary>
/// Maps failures to exit codes: a <see cref="KtizoException"/> or I/O error is the user's to fix and
/// prints one line; anything else is a bug and prints its stack trace.
/// </summary>
public static class CommandErrors
{
    public static int Run(CliConsole console, Func<int> action) =>
        RunAsync(console, () => Task.FromResult(action())).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is KtizoException or IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrIo;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            console.Error.WriteLine($"internal error (a bug in Ktizo; please report it): {e}");
            return ExitCodes.InternalError;
        }
    }
}
