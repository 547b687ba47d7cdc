using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Ktizo.Core;
using Ktizo.Store;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Xunit.Abstractions;

namespace Ktizo.Cli.Tests;

/// <summary>`ktizo serve` as its own process, stopped the way systemd and Ctrl+C stop it.</summary>
public sealed partial class ServeSignalTests(ITestOutputHelper output) : IDisposable
{
    private const int Sigint = 2;
    private const int Sigterm = 15;

    private readonly TempGitRemote _git = new();

    public void Dispose() => _git.Dispose();

    [Theory]
    [InlineData(Sigterm)]
    [InlineData(Sigint)]
    public async Task Signal_StopsTheHostGracefully_ExitsZero_AndWritesTheRepeatsHeldInMemory(int signal)
    {
        ExampleRepository.CopyTo(_git.WorkPath);
        _git.CommitAndPush("Example inventory");
        var data = _git.NewFolder("data");
        // The periodic flush never comes within the test: only the shutdown flush can write the repeats.
        using var process = Start("serve", "--repository", _git.RemotePath, "--branch", _git.Branch, "--data-folder", data,
            "--urls", "http://127.0.0.1:0", "--store-flush-interval", "1h");
        var stdout = new List<string>();
        try
        {
            using var client = new HttpClient { BaseAddress = await ListeningUrlAsync(process, stdout), Timeout = TimeSpan.FromSeconds(10) };
            await WaitReadyAsync(client);
            var unknown = MacAddress.Parse("02:00:00:00:0a:01");
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.GetAsync($"/api/v1/config/download?mac={unknown}");
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }

            var drain = DrainAsync(process, stdout);
            Assert.Equal(0, Kill(process.Id, signal));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await drain;

            Assert.Equal(0, process.ExitCode);
            Assert.Contains(stdout, line => line.Contains("Application is shutting down", StringComparison.Ordinal));
            using var store = DeviceStore.Open(Path.Combine(data, "ktizo.db"));
            var record = Assert.Single(await store.ListAsync());
            Assert.Equal(unknown, record.Mac);
            Assert.Equal(3, record.RequestCount);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            foreach (var line in stdout)
            {
                output.WriteLine(line);
            }
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ktizo.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<Uri> ListeningUrlAsync(Process process, List<string> stdout)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            stdout.Add(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("ktizo serve exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    // Reads the rest of stdout and stderr so the child never blocks on a full pipe while it shuts down.
    private static async Task DrainAsync(Process process, List<string> stdout)
    {
        var error = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            stdout.Add(line);
        }

        stdout.Add(await error);
    }

    private static async Task WaitReadyAsync(HttpClient client)
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

        throw new TimeoutException("ktizo serve never became ready");
    }

    // DllImport, not LibraryImport: the generated stub would need unsafe code for a call this plain.
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
