using System.Net;
using System.Text.RegularExpressions;
using Ktizo.Gatekeeper.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.DeviceAuth;

/// <summary>The page Talos points at (<c>verification_uri</c>): the signed-in administrator sees each live flow and confirms one.</summary>
public sealed partial class DeviceFlowsPageTests(ITestOutputHelper output)
{
    private const string Mac = "52:54:00:00:05:11";

    [Fact]
    public async Task Page_SignedOut403_SignedInListsFlowsWithSourceAndUuid_ConfirmButtonConfirms()
    {
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output, [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(Mac, "cp-01", "10.0.5.11/24") + "deviceAuth: confirm\n")]);
        var talos = new TalosOAuthClient(gatekeeper.Client, Mac, "uuid-of-cp-01");
        var (_, device) = await talos.DeviceCodeAsync();
        var userCode = device.GetProperty("user_code").GetString()!;
        var pageUrl = device.GetProperty("verification_uri").GetString()!;
        Assert.EndsWith("/ui/device-auth", pageUrl, StringComparison.Ordinal);

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = gatekeeper.Client.BaseAddress };
        using (var signedOut = await browser.GetAsync("/ui/device-auth"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, signedOut.StatusCode);
            Assert.DoesNotContain(userCode, await signedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var signIn = await browser.PostAsync("/ui/signin", Form(await SignInFormAsync(browser), ("token", GatekeeperHost.AdminToken))))
        {
            Assert.True(signIn.IsSuccessStatusCode || signIn.StatusCode == HttpStatusCode.Redirect, signIn.StatusCode.ToString());
        }

        var page = await browser.GetStringAsync("/ui/device-auth");
        Assert.Contains(Mac, page, StringComparison.Ordinal);
        Assert.Contains("uuid-of-cp-01", page, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", page, StringComparison.Ordinal);
        Assert.Contains($"Confirm {userCode}", page, StringComparison.Ordinal);
        Assert.DoesNotContain(device.GetProperty("device_code").GetString()!, page, StringComparison.Ordinal);

        using var confirmed = await browser.PostAsync("/ui/device-auth/confirm", Form(page, ("user_code", userCode)));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains($"Confirmed {userCode} for {Mac}", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (status, token) = await talos.TokenAsync(device.GetProperty("device_code").GetString()!);
        Assert.Equal(200, status);
        using var served = await talos.DownloadAsync(token.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task RearmButton_ForAMacThatHadItsToken_NeedsSignInAndAntiForgery_ThenTheWaitingSingleClaimantGetsTheToken()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gatekeeper = await FakeGatekeeper.StartAsync(
            output,
            [("inventory/devices/cp-01.yaml", MiniRenderer.DeviceFile(Mac, "cp-01", "10.0.5.11/24") + "deviceAuth: first\n")],
            services: s => s.AddSingleton<TimeProvider>(time));
        var installer = new TalosOAuthClient(gatekeeper.Client, Mac, "uuid-of-cp-01");
        var (_, firstFlow) = await installer.DeviceCodeAsync();
        Assert.Equal(200, (await installer.TokenAsync(firstFlow.GetProperty("device_code").GetString()!)).Status);
        var reinstall = new TalosOAuthClient(gatekeeper.Client, Mac, "uuid-of-cp-01");
        var (_, secondFlow) = await reinstall.DeviceCodeAsync();
        var secondCode = secondFlow.GetProperty("device_code").GetString()!;
        Assert.Equal("authorization_pending", (await reinstall.TokenAsync(secondCode)).Body.GetProperty("error").GetString());

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = gatekeeper.Client.BaseAddress };
        var signedOutForm = await SignInFormAsync(browser);
        using (var signedOut = await browser.PostAsync("/ui/device-auth/rearm", Form(signedOutForm, ("mac", Mac))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, signedOut.StatusCode);
        }

        using (var signIn = await browser.PostAsync("/ui/signin", Form(signedOutForm, ("token", GatekeeperHost.AdminToken))))
        {
            Assert.True(signIn.IsSuccessStatusCode || signIn.StatusCode == HttpStatusCode.Redirect, signIn.StatusCode.ToString());
        }

        var page = await browser.GetStringAsync("/ui/device-auth");
        Assert.Contains($"Re-arm {Mac}</button>", page, StringComparison.Ordinal);
        using (var forged = await browser.PostAsync("/ui/device-auth/rearm", new FormUrlEncodedContent([new("mac", Mac)])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var malformed = await browser.PostAsync("/ui/device-auth/rearm", Form(page, ("mac", "52:54:00"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("authorization_pending", (await reinstall.TokenAsync(secondCode)).Body.GetProperty("error").GetString()); // forged posts changed nothing

        using var rearmed = await browser.PostAsync("/ui/device-auth/rearm", Form(page, ("mac", Mac)));
        Assert.Equal(HttpStatusCode.OK, rearmed.StatusCode);
        Assert.Contains($"Re-armed {Mac}: its next single claimant", await rearmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(200, (await reinstall.TokenAsync(secondCode)).Status);
    }

    /// <summary>A form post as the browser sends it: the page's anti-forgery field plus <paramref name="fields"/>.</summary>
    private static FormUrlEncodedContent Form(string html, params (string Name, string Value)[] fields)
    {
        var csrf = Antiforgery().Match(html);
        Assert.True(csrf.Success, "no anti-forgery field on the page");
        return new FormUrlEncodedContent(
            [new(WebUtility.HtmlDecode(csrf.Groups[1].Value), WebUtility.HtmlDecode(csrf.Groups[2].Value)), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex Antiforgery();

    /// <summary>The sign-in form, which <c>/</c> answers signed out with 401 (reading devices needs sign-in).</summary>
    private static async Task<string> SignInFormAsync(HttpClient browser)
    {
        using var answer = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        return await answer.Content.ReadAsStringAsync();
    }
}
