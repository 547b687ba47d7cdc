using System.Net;
using Ktizo.Core.Inventory;
using Ktizo.GitHub.Approval;
using Ktizo.Testing;
using Microsoft.Playwright;

namespace Ktizo.Ui.Tests;

/// <summary>The device management page at /, in headless Chromium against a whole gatekeeper.</summary>
public sealed class DevicePageTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:aa:bb:01";
    private const string Uuid = "4c4c4544-0042-4d10-8051-b4c04f563532";
    private UiFixture _ui = null!;

    public async Task InitializeAsync() => _ui = await UiFixture.StartAsync();

    public async Task DisposeAsync() => await _ui.DisposeAsync();

    [Fact]
    public async Task OpenPage_WhenAMachineAsksForItsConfig_ShowsItAsPendingWithoutReload()
    {
        var page = await _ui.NewPageAsync();
        await page.GotoAsync("/");
        await UiFixture.SignInAsync(page, UiFixture.ViewerToken);
        await Assertions.Expect(page.Locator("#pending .empty, #pending-h")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#approved")).ToContainTextAsync("cp-01");
        await Assertions.Expect(page.Locator("#rejected")).ToContainTextAsync("52:54:00:00:05:99");
        await UiFixture.ScreenshotAsync(page, "empty");

        Assert.Equal(HttpStatusCode.Forbidden, await _ui.MachineAsksAsync(Mac, Uuid));

        var row = page.Locator($"#pending tr[data-mac=\"{Mac}\"]");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync(Uuid);
        await Assertions.Expect(row).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(page.Locator("#pending-count")).ToHaveTextAsync("1");
        await UiFixture.ScreenshotAsync(page, "pending");

        var phone = await _ui.NewPageAsync(390, 844);
        await phone.GotoAsync("/");
        await UiFixture.SignInAsync(phone, UiFixture.ViewerToken);
        await Assertions.Expect(phone.Locator($"#pending tr[data-mac=\"{Mac}\"]")).ToBeVisibleAsync();
        await UiFixture.ScreenshotAsync(phone, "pending-phone");
    }

    [Fact]
    public async Task Approve_WhenSignedIn_OpensAPullRequestOnGitHubWithTheDeviceFile()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await _ui.MachineAsksAsync(Mac, Uuid));
        var page = await _ui.NewPageAsync();
        await page.GotoAsync("/");
        await UiFixture.SignInAsync(page);
        await page.Locator($"#pending tr[data-mac=\"{Mac}\"] a.button").ClickAsync();

        // Suggestions: the next name in the workers' sequence, the next free address in the subnet.
        await Assertions.Expect(page.GetByLabel("Hostname")).ToHaveValueAsync("worker-03");
        await Assertions.Expect(page.GetByLabel("Address with prefix")).ToHaveValueAsync("10.0.5.14/24");
        await UiFixture.ScreenshotAsync(page, "approve-form");

        await page.GetByRole(AriaRole.Button, new() { Name = "Open approving pull request" }).ClickAsync();
        var link = page.Locator("#pr-link");
        await Assertions.Expect(link).ToBeVisibleAsync();
        await UiFixture.ScreenshotAsync(page, "approved-pr");

        var pullRequest = Assert.Single(_ui.GitHub.Issues, i => i.IsPullRequest);
        Assert.Equal($"Approve {Mac} as worker-03 (worker, 10.0.5.14/24)", pullRequest.Title);
        var href = await link.GetAttributeAsync("href");
        Assert.EndsWith($"/pull/{pullRequest.Number}", href, StringComparison.Ordinal);
        var file = _ui.GitHub.FileAt("ktizo/approve-worker-03", "inventory/devices/worker-03.yaml");
        Assert.Equal(
            DeviceFileText.Approved(new ApprovedDeviceFields(Mac, "worker-03", "worker", "10.0.5.14/24", null, null, null)),
            file);
        // The redacted body holds no secret the example carries.
        Assert.DoesNotContain("BEGIN", pullRequest.Body ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_WhenTheAddressIsTaken_IsRefusedWithTheValidatorsMessageAndSendsNothing()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await _ui.MachineAsksAsync(Mac, Uuid));
        var page = await _ui.NewPageAsync();
        await page.GotoAsync("/");
        await UiFixture.SignInAsync(page);
        await page.Locator($"#pending tr[data-mac=\"{Mac}\"] a.button").ClickAsync();
        await page.GetByLabel("Address with prefix").FillAsync("10.0.5.11/24");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open approving pull request" }).ClickAsync();

        var expected = DeviceProposals.Validate(
            ExampleRepository.Load(),
            DeviceProposal.Approve(new ApprovedDeviceFields(Mac, "worker-03", "worker", "10.0.5.11/24", null, null, null), null));
        Assert.False(expected.IsValid);
        var errors = page.Locator("#approve-errors");
        await Assertions.Expect(errors).ToBeVisibleAsync();
        foreach (var error in expected.Errors)
        {
            await Assertions.Expect(errors).ToContainTextAsync(error.Message);
        }

        await Assertions.Expect(page.GetByLabel("Address with prefix")).ToHaveValueAsync("10.0.5.11/24");
        await UiFixture.ScreenshotAsync(page, "refused");
        Assert.DoesNotContain(_ui.GitHub.Requests, r => r.Mutating);
    }

    [Fact]
    public async Task SignedOut_SeesOnlyTheSignInForm_AndNoDevice()
    {
        // Issue 15, finding 1: the page listed every MAC, address, uuid and approver to anyone on the network.
        Assert.Equal(HttpStatusCode.Forbidden, await _ui.MachineAsksAsync(Mac, Uuid));
        var page = await _ui.NewPageAsync();
        var answer = await page.GotoAsync("/");
        Assert.Equal(401, answer!.Status);
        await Assertions.Expect(page.Locator("form.signin")).ToBeVisibleAsync();
        // Long enough for the live part to have polled, had it been there.
        await page.WaitForTimeoutAsync(2500);
        var html = await page.ContentAsync();
        foreach (var secret in new[] { Mac, Uuid, "52:54:00:00:05:11", "52:54:00:00:05:99", "cp-01", "10.0.5.11", "127.0.0.1" })
        {
            Assert.DoesNotContain(secret, html, StringComparison.OrdinalIgnoreCase);
        }

        await Assertions.Expect(page.Locator("#pending, #approved, #rejected, #live")).ToHaveCountAsync(0);
        var live = await page.APIRequest.GetAsync("/ui/live");
        Assert.Equal(401, live.Status);
        Assert.DoesNotContain(Mac, await live.TextAsync(), StringComparison.OrdinalIgnoreCase);
        await UiFixture.ScreenshotAsync(page, "signed-out");
    }

    [Fact]
    public async Task Viewer_SeesDevicesButNoFormsAndCannotPost()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await _ui.MachineAsksAsync(Mac, Uuid));
        var page = await _ui.NewPageAsync();
        await page.GotoAsync("/");
        await UiFixture.SignInAsync(page, UiFixture.ViewerToken);
        await Assertions.Expect(page.Locator($"#pending tr[data-mac=\"{Mac}\"]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#pending a.button")).ToHaveCountAsync(0);
        await UiFixture.ScreenshotAsync(page, "read-only");

        // Search by the MAC's beginning, typed with hyphens.
        await page.GetByLabel("Find a MAC").FillAsync("52-54-00-AA");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#found tr[data-mac=\"{Mac}\"]")).ToBeVisibleAsync();

        // The decide page itself says sign in first.
        var decide = await page.GotoAsync("/ui/devices/52-54-00-aa-bb-01");
        Assert.Equal(403, decide!.Status);

        // A viewer's browser with a valid anti-forgery token (from the page's sign-out form) is still refused.
        await page.GotoAsync("/");
        var token = await page.Locator("form.inline input[name=__csrf]").GetAttributeAsync("value");
        var posted = await page.APIRequest.PostAsync("/ui/devices/52-54-00-aa-bb-01/approve", new()
        {
            Form = page.APIRequest.CreateFormData().Set("__csrf", token!).Set("hostname", "worker-03").Set("ip", "10.0.5.14/24").Set("role", "worker"),
        });
        Assert.Equal(403, posted.Status);

        // A POST without cookie or anti-forgery token (a forged cross-site form, curl) is refused.
        var direct = await _ui.Client.PostAsync(
            "/ui/devices/52-54-00-aa-bb-01/approve",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["hostname"] = "worker-03", ["ip"] = "10.0.5.14/24", ["role"] = "worker" }));
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        var reject = await _ui.Client.PostAsync("/ui/devices/52-54-00-aa-bb-01/reject", new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, reject.StatusCode);

        // A wrong token does not sign in.
        var stranger = await _ui.NewPageAsync();
        await stranger.GotoAsync("/");
        await stranger.GetByLabel("Token").FillAsync("not-the-token-at-all");
        await stranger.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(stranger.GetByRole(AriaRole.Alert)).ToContainTextAsync("neither the admin token nor the viewer token");
        await Assertions.Expect(stranger.Locator("#pending")).ToHaveCountAsync(0);

        Assert.DoesNotContain(_ui.GitHub.Requests, r => r.Mutating);
    }
}
