using Ktizo.Core;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Cli.Tests.Approval;

public sealed class ApproveCommandTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:12:34:56";
    private const string Expected = "mac: \"52:54:00:12:34:56\"\nhostname: worker-04\nrole: worker\nip: 10.0.5.24/24\n";
    private readonly ApprovalFixture _f = new();
    private static readonly Dictionary<string, string> NoEnvironment = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private string[] Approve(params string[] extra) =>
        ["approve", Mac, "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _f.Repo, .. extra];

    [Fact]
    public void Approve_WhenDeviceIsNew_WritesTheFileThatThenValidates()
    {
        var run = CliRun.Invoke(Approve("--issue", "12"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Equal(Expected, File.ReadAllText(Path.Combine(_f.Devices, "worker-04.yaml")));
        Assert.Contains("wrote inventory/devices/worker-04.yaml", run.Out, StringComparison.Ordinal);
        Assert.Contains("  git switch -c ktizo/approve-worker-04\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("  git add inventory/devices/worker-04.yaml\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("  git commit -m 'Approve 52:54:00:12:34:56 as worker-04 (worker, 10.0.5.24/24)' -m 'Closes #12'\n", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(_f.DeviceFileNames(), n => n.StartsWith('.'));

        var validate = CliRun.Invoke("validate", "--repo", _f.Repo);
        Assert.Equal(ExitCodes.Ok, validate.ExitCode);
        Assert.Contains("valid: 6 approved and 1 rejected devices", validate.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_WithOptionalFields_WritesThemInOrder()
    {
        var run = CliRun.Invoke(Approve("--gateway", "10.0.5.254", "--install-disk", "/dev/sdb", "--interface", "eno1"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(Expected + "gateway: \"10.0.5.254\"\ninstallDisk: /dev/sdb\ninterface: eno1\n", File.ReadAllText(Path.Combine(_f.Devices, "worker-04.yaml")));
    }

    [Theory]
    [InlineData("duplicate-mac", "52-54-00-00-05-21")] // worker-01's MAC, written with hyphens
    [InlineData("duplicate-mac", "525400000522")] // worker-02's, bare hex
    [InlineData("duplicate-mac", "52:54:00:00:05:99")] // the rejected device's
    [InlineData("invalid-mac", "52:54:00:12:34")]
    public void Approve_WhenMacConflictsOrIsInvalid_RefusesWithTheValidatorsCodeAndWritesNothing(string code, string mac)
    {
        var before = _f.DeviceFileNames();

        var run = CliRun.Invoke("approve", mac, "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _f.Repo);

        AssertRefused(run, code, before);
    }

    [Theory]
    [InlineData("duplicate-ip", "--ip", "10.0.5.21/24")]
    [InlineData("invalid-ip", "--ip", "10.0.5.300/24")]
    [InlineData("invalid-ip", "--ip", "10.0.5.24")]
    [InlineData("unknown-role", "--role", "wroker")]
    [InlineData("invalid-ip", "--gateway", "10.0.5.1/24")]
    [InlineData("gateway-outside-subnet", "--gateway", "192.168.1.1")]
    [InlineData("invalid-install-disk", "--install-disk", "sda")]
    [InlineData("invalid-interface", "--interface", "this-name-is-far-too-long")]
    public void Approve_WhenAValueIsInvalidOrTaken_RefusesWithTheValidatorsCodeAndWritesNothing(string code, string option, string value)
    {
        var before = _f.DeviceFileNames();
        var args = Approve().ToList();
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var run = CliRun.Invoke([.. args]);

        AssertRefused(run, code, before);
    }

    [Theory]
    [InlineData("Worker-04")]
    [InlineData("../../etc/evil")]
    [InlineData("worker-04\nrole: controlplane")]
    [InlineData("-worker")]
    public void Approve_WhenHostnameIsInvalid_RefusesAndWritesNoFileAnywhere(string hostname)
    {
        var before = _f.DeviceFileNames();
        var outside = Directory.GetFileSystemEntries(_f.Repo, "*", SearchOption.AllDirectories).Length;

        var run = CliRun.Invoke("approve", Mac, "--hostname", hostname, "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _f.Repo);

        AssertRefused(run, "invalid-hostname", before);
        Assert.Equal(outside, Directory.GetFileSystemEntries(_f.Repo, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Approve_WhenHostnameIsTakenByAFileOfAnotherName_RefusesAsDuplicateHostname()
    {
        File.WriteAllText(Path.Combine(_f.Devices, "gpu-box.yaml"), "mac: 52:54:00:00:05:31\nhostname: worker-04\nrole: worker\nip: 10.0.5.31/24\n");
        var before = _f.DeviceFileNames();

        var run = CliRun.Invoke(Approve());

        AssertRefused(run, "duplicate-hostname", before);
    }

    [Fact]
    public void Approve_WhenTheFileExists_RefusesAndLeavesItAlone()
    {
        var path = Path.Combine(_f.Devices, "worker-01.yaml");
        var original = File.ReadAllText(path);

        var run = CliRun.Invoke("approve", Mac, "--hostname", "worker-01", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _f.Repo);

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("inventory/devices/worker-01.yaml: error file-exists:", run.Error, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(path));
    }

    [Fact]
    public void Approve_WhenTheRepositoryIsAlreadyInvalid_RefusesWithItsErrors()
    {
        File.WriteAllText(Path.Combine(_f.Devices, "broken.yaml"), "mac: nope\n");
        var before = _f.DeviceFileNames();

        var run = CliRun.Invoke(Approve());

        AssertRefused(run, "invalid-mac", before);
    }

    [Theory]
    [InlineData("approve", Mac, "--ip", "10.0.5.24/24", "--role", "worker")]
    [InlineData("approve", "--hostname", "h", "--ip", "10.0.5.24/24", "--role", "worker")]
    [InlineData("approve", Mac, "--hostname", "h", "--ip", "10.0.5.24/24", "--role", "worker", "--issue", "0")]
    [InlineData("approve", Mac, "--hostname", "h", "--ip", "10.0.5.24/24", "--role", "worker", "--issue", "x")]
    public void Approve_WhenCommandLineIsWrong_ExitsTwo(params string[] args)
    {
        var before = _f.DeviceFileNames();

        var run = CliRun.Invoke([.. args, "--repo", _f.Repo]);

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Equal(before, _f.DeviceFileNames());
    }

    [Fact]
    public async Task ApprovePr_WhenDeviceIsNew_LeavesBranchFileAndPullRequestAsAUserSeesThem()
    {
        var gitHub = await _f.StartGitHubAsync();
        var mainHead = gitHub.Branches["main"];

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), Approve("--pr", "--issue", "12"));

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var pr = Assert.Single(gitHub.Issues, i => i.IsPullRequest);
        Assert.Contains($"opened pull request #{pr.Number}: https://github.com/acme/cluster/pull/{pr.Number}", run.Out, StringComparison.Ordinal);
        Assert.Equal(("Approve 52:54:00:12:34:56 as worker-04 (worker, 10.0.5.24/24)", "open", "ktizo/approve-worker-04", "main"), (pr.Title, pr.State, pr.Head, pr.Base));
        Assert.Equal(Expected, gitHub.FileAt("ktizo/approve-worker-04", "inventory/devices/worker-04.yaml"));
        Assert.Equal(("Approve 52:54:00:12:34:56 as worker-04 (worker, 10.0.5.24/24)", mainHead), gitHub.CommitOf(gitHub.Branches["ktizo/approve-worker-04"]));
        Assert.Equal(mainHead, gitHub.Branches["main"]);

        // The summary: what the machine will receive, as CI will render it, with its secrets hidden.
        var set = RenderWith("inventory/devices/worker-04.yaml", Expected);
        var config = set.Approved[MacAddress.Parse(Mac)];
        var body = pr.Body!;
        Assert.EndsWith("\n\nCloses #12", body, StringComparison.Ordinal);
        Assert.Contains("| hostname | `worker-04` |", body, StringComparison.Ordinal);
        Assert.Contains("| role | `worker` |", body, StringComparison.Ordinal);
        Assert.Contains("| address | `10.0.5.24/24` |", body, StringComparison.Ordinal);
        Assert.Contains($"| rendered config sha256 | `{config.Sha256}` |", body, StringComparison.Ordinal);
        Assert.Contains("<details><summary>Rendered config", body, StringComparison.Ordinal);
        Assert.Contains("```yaml\n" + Secrets.Redact(config.Yaml, set.Cluster.TalosVersion) + "```", body, StringComparison.Ordinal);
        Assert.Contains(Secrets.Mask, body, StringComparison.Ordinal);
        Assert.DoesNotContain("ktizo1.placeholder00001", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ktizo0.placeholder00000", body, StringComparison.Ordinal);

        Assert.False(File.Exists(Path.Combine(_f.Devices, "worker-04.yaml")));
        Assert.DoesNotContain(gitHub.Token, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovePr_WhenDeviceIsInvalid_RefusesWithoutCallingGitHub()
    {
        var gitHub = await _f.StartGitHubAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), "approve", "52-54-00-00-05-21", "--hostname", "worker-04", "--ip", "10.0.5.24/24", "--role", "worker", "--repo", _f.Repo, "--pr");

        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("error duplicate-mac", run.Error, StringComparison.Ordinal);
        Assert.Empty(gitHub.Requests);
    }

    [Fact]
    public async Task ApprovePr_WhenTheTokenIsWrong_ExitsTwoNamingTheVariableNeverTheToken()
    {
        var gitHub = await _f.StartGitHubAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(ApprovalFixture.WrongToken), Approve("--pr"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("refused the token (401 Bad credentials): check the environment variable KTIZO_GITHUB_TOKEN", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ApprovalFixture.WrongToken, run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(gitHub.Token, run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(["main"], gitHub.Branches.Keys);
    }

    [Fact]
    public async Task ApprovePr_WhenTheTokenFileIsWrong_NamesTheFileNeverTheToken()
    {
        var gitHub = await _f.StartGitHubAsync();
        var tokenFile = Path.Combine(_f.Repo, "token");
        File.WriteAllText(tokenFile, ApprovalFixture.WrongToken + "\n");
        var environment = _f.Environment();
        environment.Remove("KTIZO_GITHUB_TOKEN");

        var run = await _f.InvokeWithGitHubAsync(environment, Approve("--pr", "--github-token-file", tokenFile));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains($"check the token file {tokenFile}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ApprovalFixture.WrongToken, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    public async Task ApprovePr_WhenGitHubFails_ExitsTwoWithOneLineAndNoToken(int status)
    {
        var gitHub = await _f.StartGitHubAsync();
        gitHub.FailNext(10, status);

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), Approve("--pr"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.StartsWith($"error: GitHub at {gitHub.BaseUri} answered {status}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(gitHub.Token, run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovePr_WhenGitHubIsDown_SaysItCannotBeReached()
    {
        var gitHub = await _f.StartGitHubAsync();
        await gitHub.GoDownAsync();

        var run = await _f.InvokeWithGitHubAsync(_f.Environment(), Approve("--pr"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("cannot be reached", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(gitHub.Token, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovePr_WhenGitHubIsNotConfigured_SaysWhatToSet()
    {
        var run = await ApprovalFixture.InvokeAsync(NoEnvironment, Approve("--pr"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("KTIZO_GITHUB__REPOSITORY", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovePr_WhenTheTokenIsMissing_NamesTheVariable()
    {
        await _f.StartGitHubAsync();
        var environment = _f.Environment();
        environment.Remove("KTIZO_GITHUB_TOKEN");

        var run = await _f.InvokeWithGitHubAsync(environment, Approve("--pr"));

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("environment variable KTIZO_GITHUB_TOKEN is not set", run.Error, StringComparison.Ordinal);
    }

    private void AssertRefused(CliRun run, string code, IReadOnlyList<string> filesBefore)
    {
        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains($": error {code}:", run.Error, StringComparison.Ordinal);
        Assert.Contains("nothing written", run.Error, StringComparison.Ordinal);
        Assert.Equal(filesBefore, _f.DeviceFileNames());
    }

    private static RenderedSet RenderWith(string path, string content)
    {
        var tree = ExampleRepository.Load();
        tree.Add(path, content);
        var result = Renderer.Render(tree);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Set!;
    }
}
