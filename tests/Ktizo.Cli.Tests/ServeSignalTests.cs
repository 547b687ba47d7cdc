using System.Net;
using System.Runtime.InteropServices;
using Ktizo.Core;
using Ktizo.Store;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Xunit.Abstractions;

namespace Ktizo.Cli.Tests;

/// <summary>`ktizo serve` as its own process, stopped the way systemd and Ctrl+C stop it.</summary>
public sealed class ServeSignalTests(ITestOutputHelper output) : IDisposable
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
        using var serve = await GatekeeperProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "ktizo.dll"),
        [
            "serve", "--repository", _git.RemotePath, "--branch", _git.Branch, "--data-folder", data,
            "--urls", "http://127.0.0.1:0", "--store-flush-interval", "1h",
        ]);
        try
        {
            using var client = new HttpClient { BaseAddress = serve.Url, Timeout = TimeSpan.FromSeconds(10) };
            await GatekeeperProcess.WaitReadyAsync(client);
            var unknown = MacAddress.Parse("02:00:00:00:0a:01");
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.GetAsync($"/api/v1/config/download?mac={unknown}");
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }

            Assert.Equal(0, Kill(serve.Process.Id, signal));
            await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var line in serve.Output)
            {
                output.WriteLine(line);
            }
        }

        Assert.Equal(0, serve.Process.ExitCode);
        Assert.Contains(serve.Output, line => line.Contains("Application is shutting down", StringComparison.Ordinal));
        using var store = DeviceStore.Open(Path.Combine(data, "ktizo.db"));
        var record = Assert.Single(await store.ListAsync());
        Assert.Equal(MacAddress.Parse("02:00:00:00:0a:01"), record.Mac);
        Assert.Equal(3, record.RequestCount);
    }

    // DllImport, not LibraryImport: the generated stub would need unsafe code for a call this plain.
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
