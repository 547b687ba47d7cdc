using Ktizo.Testing;
using Ktizo.Testing.GitHub;

namespace Ktizo.Cli.Tests.Approval;

/// <summary>
/// A copy of the example repository on disk and, when a test asks, the GitHub stand-in with the
/// environment the CLI reads its settings from.
/// </summary>
public sealed class ApprovalFixture : IAsyncDisposable
{
    public const string WrongToken = "ghp_wrongTokenThatMustNeverBePrinted0000";

    public string Repo { get; } = Directory.CreateTempSubdirectory("ktizo-approve-").FullName;

    public GitHubStandIn? StandIn { get; private set; }

    public ApprovalFixture() => ExampleRepository.CopyTo(Repo);

    public string Devices => Path.Combine(Repo, "inventory", "devices");

    /// <summary>The device files on disk, names only: proves what was (not) written, temporary files included.</summary>
    public IReadOnlyList<string> DeviceFileNames() =>
        [.. Directory.EnumerateFiles(Devices, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Devices, f)).Order(StringComparer.Ordinal)];

    public async Task<GitHubStandIn> StartGitHubAsync()
    {
        StandIn = await GitHubStandIn.StartAsync(TimeProvider.System);
        return StandIn;
    }

    /// <summary>The environment a user (or CI) sets: the token.</summary>
    public Dictionary<string, string> Environment(string? token = null) => new()
    {
        ["KTIZO_GITHUB_TOKEN"] = token ?? StandIn!.Token,
    };

    /// <summary>The GitHub settings as flags: the stand-in's repository and API root, no pause between mutations.</summary>
    public string[] GitHubArgs() =>
        ["--github-repository", $"{StandIn!.Owner}/{StandIn.Name}", "--github-api-base-url", StandIn.BaseUri.ToString(), "--github-min-mutation-interval", "0s"];

    /// <summary>Runs the CLI against the stand-in: <paramref name="args"/> and <see cref="GitHubArgs"/>.</summary>
    public Task<CliRun> InvokeWithGitHubAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        InvokeAsync(environment, [.. args, .. GitHubArgs()]);

    /// <summary>Runs the CLI off the test's synchronization context, as a process would.</summary>
    public static Task<CliRun> InvokeAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Task.Run(() => CliRun.Invoke(environment, args));

    public async ValueTask DisposeAsync()
    {
        if (StandIn is not null)
        {
            await StandIn.DisposeAsync();
        }

        Directory.Delete(Repo, recursive: true);
    }
}
