using Ktizo.Core;
using Ktizo.Core.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Octokit;
using Xunit.Abstractions;

namespace Ktizo.GitHub.Tests;

public sealed class TokenAndOptionsTests(ITestOutputHelper output)
{
    private const string WrongToken = "ghp_wrongTokenAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public async Task Worker_WhenGitHubFailsInEveryWay_NeverWritesTheTokenToLogsOrErrors()
    {
        await using var h = await Harness.StartAsync(output);
        var outbox = new InMemoryIssueOutbox();
        foreach (var s in Harness.Sightings(20))
        {
            outbox.AddSighting(s);
        }

        var options = h.Options(o => o.MaxOpenPendingIssues = 5);
        var errors = new List<Exception>();
        var good = h.Service(outbox, options);
        var bad = new GitHubPendingDeviceIssues(h.Repository(options, WrongToken), outbox, h.Clock, h.Loggers.CreateLogger<GitHubPendingDeviceIssues>());

        errors.Add(await Assert.ThrowsAsync<AuthorizationException>(() => bad.RunPassAsync(CancellationToken.None)));
        h.StandIn.FailNext(1, 500);
        errors.Add(await Assert.ThrowsAsync<ApiException>(() => good.RunPassAsync(CancellationToken.None)));
        h.StandIn.FailNext(1, 502);
        errors.Add(await Assert.ThrowsAsync<ApiException>(() => good.RunPassAsync(CancellationToken.None)));
        h.StandIn.ThrottleSecondary(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        await good.RunPassAsync(CancellationToken.None);
        await h.StandIn.GoDownAsync();
        outbox.AddSighting(Harness.Sightings(1, offset: 99)[0]);
        errors.Add(await Assert.ThrowsAsync<HttpRequestException>(() => good.RunPassAsync(CancellationToken.None)));
        var worker = h.StartWorker(good, options);
        await Harness.WaitForAsync(() => worker.Failures >= 2, "the worker logged failures");
        await h.StandIn.ComeUpAsync();
        await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "filed after recovery");

        // The token was in play: the stand-in received both, so finding them in the output is possible.
        Assert.Contains(h.StandIn.Requests, r => r.Authorization!.Contains(h.StandIn.Token, StringComparison.Ordinal));
        Assert.Contains(h.StandIn.Requests, r => r.Authorization!.Contains(WrongToken, StringComparison.Ordinal));
        var everything = string.Join("\n", h.Logs.Lines.Concat(errors.Select(e => e.ToString())));
        Assert.Contains("Bad credentials", everything);
        Assert.Contains("GitHub pass failed", everything);
        Assert.DoesNotContain(h.StandIn.Token, everything);
        Assert.DoesNotContain(WrongToken, everything);
        Assert.DoesNotContain(h.StandIn.Token, h.Repository(options).ToString());
    }

    [Fact]
    public void Read_WhenTokenFileIsSet_ReadsAndTrimsItAheadOfTheEnvironment()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "ghp_fromFile\n");
            var options = new GitHubOptions { Repository = "a/b", TokenFile = file };
            Assert.Equal("ghp_fromFile", GitHubToken.Read(options, _ => "ghp_fromEnvironment"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Read_WhenOnlyTheEnvironmentHasIt_ReadsTheNamedVariable()
    {
        var options = new GitHubOptions { Repository = "a/b", TokenEnvironmentVariable = "MY_TOKEN" };
        Assert.Equal("ghp_env", GitHubToken.Read(options, name => name == "MY_TOKEN" ? " ghp_env " : null));
    }

    [Fact]
    public void Read_WhenTheTokenIsMissingOrEmpty_NamesThePlaceNotAValue()
    {
        var missing = Assert.Throws<KtizoException>(() => GitHubToken.Read(new GitHubOptions { Repository = "a/b" }, _ => null));
        Assert.Contains("KTIZO_GITHUB_TOKEN", missing.Message);

        var file = Path.GetTempFileName();
        try
        {
            var empty = Assert.Throws<KtizoException>(() => GitHubToken.Read(new GitHubOptions { Repository = "a/b", TokenFile = file }, _ => "ghp_secretInEnvironment"));
            Assert.Contains(file, empty.Message);
            Assert.DoesNotContain("ghp_secretInEnvironment", empty.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AddKtizoGitHub_WhenNothingIsConfigured_RegistersNullImplementationsAndNoWorker()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKtizoGitHub(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.IsType<NullPendingDeviceIssues>(provider.GetRequiredService<IPendingDeviceIssues>());
        Assert.IsType<NullApprovalPullRequests>(provider.GetRequiredService<IApprovalPullRequests>());
        Assert.Empty(provider.GetServices<IHostedService>());
    }

    [Fact]
    public async Task AddKtizoGitHub_WhenConfigured_RunsTheWorkerAgainstTheConfiguredApi()
    {
        await using var h = await Harness.StartAsync(output);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, h.StandIn.Token);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["GitHub:Repository"] = "acme/cluster",
                ["GitHub:ApiBaseUrl"] = h.StandIn.BaseUri.ToString(),
                ["GitHub:TokenFile"] = file,
            }).Build();
            var outbox = new InMemoryIssueOutbox();
            outbox.AddSighting(Harness.Sightings(1)[0]);
            var services = new ServiceCollection().AddLogging();
            services.AddSingleton<IIssueOutbox>(outbox);
            services.AddSingleton<TimeProvider>(h.Clock);
            services.AddKtizoGitHub(configuration);
            await using var provider = services.BuildServiceProvider();

            var worker = Assert.IsType<PendingIssueWorker>(Assert.Single(provider.GetServices<IHostedService>()));
            await worker.StartAsync(CancellationToken.None);
            await Harness.WaitForAsync(() => outbox.UnfiledCount == 0, "the hosted worker filed the sighting");
            await worker.StopAsync(CancellationToken.None);

            Assert.Single(h.StandIn.Issues);
            Assert.IsType<GitHubApprovalPullRequests>(provider.GetRequiredService<IApprovalPullRequests>());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
