using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ktizo.Testing;

/// <summary>
/// A gatekeeper started as its own process (<c>Ktizo.Gatekeeper.dll</c>, or <c>ktizo.dll serve</c>) listening on
/// 127.0.0.1:0, for tests that kill or signal it. Its output is read all the while, so it never blocks on a full pipe.
/// </summary>
public sealed partial class GatekeeperProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private Task _drained = Task.CompletedTask;

    private GatekeeperProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Where it listens, from its "Now listening on" line.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Everything it has printed so far, stdout then stderr.</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> and waits until it listens.</summary>
    /// <param name="environment">Variables added to the child's environment (settings that have no flag, such as lists).</param>
    public static async Task<GatekeeperProcess> StartAsync(
        string dll, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var child = new GatekeeperProcess(Process.Start(start)!);
        try
        {
            child.Url = await child.ReadUntilListeningAsync();
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200.</summary>
    public static async Task WaitReadyAsync(HttpClient client)
    {
        for (var i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the gatekeeper never became ready");
    }

    /// <summary>Waits for the process to end and for the last of its output to be read.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(cancel.Token);
        await _drained.WaitAsync(cancel.Token);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private async Task<Uri> ReadUntilListeningAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await Process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            _output.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _drained = Task.WhenAll(DrainAsync(Process.StandardOutput), DrainAsync(Process.StandardError));
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("the gatekeeper exited before listening: " + await Process.StandardError.ReadToEndAsync());
    }

    private async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _output.Enqueue(line);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
