using System.Net;
using Ktizo.Gatekeeper;
using Ktizo.GitHub;
using Ktizo.Testing;
using Ktizo.Testing.Git;
using Ktizo.Testing.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace Ktizo.Ui.Tests;

/// <summary>
/// One whole gatekeeper on a real Kestrel serving a git copy of the example repository, with the GitHub
/// stand-in behind its pull requests, and a headless Debian Chromium driven by Playwright.
/// </summary>
public sealed class UiFixture : IAsyncDisposable
{
    public const string AdminToken = "page-admin-token-0123456789";
    public const string ViewerToken = "page-viewer-token-0123456789";
    public const string ChromiumPath = "/usr/bin/chromium";

    private UiFixture(TempGitRemote git, GitHubStandIn github, WebApplication app, HttpClient client, IPlaywright playwright, IBrowser browser)
    {
        Git = git;
        GitHub = github;
        App = app;
        Client = client;
        Playwright = playwright;
        Browser = browser;
    }

    public TempGitRemote Git { get; }

    public GitHubStandIn GitHub { get; }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    public string BaseUrl => App.Urls.First();

    public static async Task<UiFixture> StartAsync()
    {
        // Never skipped: a missing browser is a failure that says how to fix it.
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: run tests/install-deps.sh as root (apt-get install chromium). The UI tests never download a browser.");

        var git = new TempGitRemote();
        ExampleRepository.CopyTo(git.WorkPath);
        git.CommitAndPush("Example repository", "Test Author");
        var github = await GitHubStandIn.StartAsync(TimeProvider.System);
        var data = git.NewFolder("data");
        string[] args =
        [
            "--repository", git.RemoteUrl, "--branch", git.Branch, "--data-folder", data, "--urls", "http://127.0.0.1:0",
            "--poll-interval", "1h", "--admin-token", AdminToken, "--viewer-token", ViewerToken, "--rate-limit-permits", "0",
        ];
        var app = GatekeeperApp.Build(
            args,
            builder =>
            {
                builder.Logging.ClearProviders();
                var options = new GitHubOptions
                {
                    Repository = $"{github.Owner}/{github.Name}",
                    ApiBaseUrl = github.BaseUri,
                    MinMutationInterval = Ktizo.Core.Settings.Duration.Zero,
                };
                builder.Services.AddSingleton(options);
                builder.Services.AddSingleton<IApprovalPullRequests>(_ => new GitHubApprovalPullRequests(
                    new GitHubRepository(options, github.Token, TimeProvider.System, NullLoggerFactory.Instance),
                    NullLogger<GitHubApprovalPullRequests>.Instance));
            },
            configureApp: null);
        await app.StartAsync();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.Urls.First()),
            Timeout = TimeSpan.FromSeconds(30),
        };
        for (var i = 0; ; i++)
        {
            using var ready = await client.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(i < 300, "the gatekeeper never became ready");
            await Task.Delay(100);
        }

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new UiFixture(git, github, app, client, playwright, browser);
    }

    /// <summary>What a Talos machine does: GET talos.config with its MAC and uuid; answered 403 while pending.</summary>
    public async Task<HttpStatusCode> MachineAsksAsync(string mac, string uuid)
    {
        using var response = await Client.GetAsync($"/api/v1/config/download?mac={Uri.EscapeDataString(mac)}&uuid={uuid}");
        return response.StatusCode;
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    /// <summary>Signs in on the sign-in form every signed-out visitor gets at /: as admin, or as viewer with <see cref="ViewerToken"/>.</summary>
    public static async Task SignInAsync(IPage page, string token = AdminToken)
    {
        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByText(token == AdminToken ? "Signed in as admin" : "Signed in as viewer").WaitForAsync();
    }

    /// <summary>Screenshots land in artifacts/ui/ at the repository root (git-ignored; CI keeps them).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "ui");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ktizo.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await GitHub.DisposeAsync();
        Git.Dispose();
    }
}
