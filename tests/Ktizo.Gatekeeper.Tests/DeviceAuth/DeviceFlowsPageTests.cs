using System.Net;
using System.Text.RegularExpressions;
using Ktizo.Gatekeeper.Tests.Support;
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
