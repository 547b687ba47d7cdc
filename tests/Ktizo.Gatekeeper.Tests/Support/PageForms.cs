using System.Net;
using System.Text.RegularExpressions;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>Posting the page's forms as a browser does: with the anti-forgery field the page wrote, and a cookie jar.</summary>
public static partial class PageForms
{
    /// <summary>The form's fields plus the anti-forgery field found in <paramref name="html"/>.</summary>
    public static FormUrlEncodedContent Form(string html, params (string Name, string Value)[] fields)
    {
        var csrf = Antiforgery().Match(html);
        Assert.True(csrf.Success, "no anti-forgery field on the page");
        return new FormUrlEncodedContent(
            [new(WebUtility.HtmlDecode(csrf.Groups[1].Value), WebUtility.HtmlDecode(csrf.Groups[2].Value)), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
    }

    /// <summary>A browser signed in with the admin token.</summary>
    public static async Task<HttpClient> SignedInAdminAsync(GatekeeperHost host)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Client.BaseAddress };
        using var signedOut = await browser.GetAsync("/"); // 401 with the sign-in form
        var signInForm = await signedOut.Content.ReadAsStringAsync();
        using var signIn = await browser.PostAsync("/ui/signin", Form(signInForm, ("token", GatekeeperHost.AdminToken)));
        Assert.True(signIn.IsSuccessStatusCode || signIn.StatusCode == HttpStatusCode.Redirect, signIn.StatusCode.ToString());
        return browser;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex Antiforgery();
}
