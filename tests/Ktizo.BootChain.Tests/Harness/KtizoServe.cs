using System.Net;

namespace Ktizo.BootChain.Tests.Harness;

/// <summary>
/// The real gatekeeper: `ktizo serve` as its own process inside the lab's namespace, tracking branch main
/// of the test repository, with the boot endpoints pointed at the lab's TFTP root. Every setting
/// a flag, as docs/gatekeeper.md lists them; <c>boot.ipxe</c>'s base URL from <c>--public-base-url</c>.
/// </summary>
public static class KtizoServe
{
    /// <summary>Reads the device list (issue 15: it needs sign-in).</summary>
    public const string ViewerToken = "bootchain-viewer-token-0123";

    /// <summary>The admin token the lab's gatekeeper takes (device-auth confirmations).</summary>
    public const string AdminToken = "boot-test-admin-token-0123";

    public static async Task StartAsync(BootLab lab, TestRepository repository, string webhookSecret)
    {
        var ktizo = Path.Combine(AppContext.BaseDirectory, "ktizo.dll");
        var url = lab.GatekeeperUrl.ToString().TrimEnd('/');
        var data = Path.Combine(lab.Work, "gatekeeper-data");
        lab.StartInNamespace(Path.Combine(lab.Work, "gatekeeper.log"),
        [
            "dotnet", ktizo, "serve",
            "--repository", repository.Path, "--branch", "main", "--data-folder", data,
            "--urls", url, "--public-base-url", url, "--webhook-secret", webhookSecret,
            "--viewer-token", ViewerToken,
            // Long enough that only the webhook can explain a prompt approval.
            "--poll-interval", "600s",
            "--boot-assets-path", Path.Combine(lab.TftpRoot, "talos"), "--boot-console-args", "console=ttyS0",
            "--admin-token", AdminToken,
        ],
        new Dictionary<string, string>
        {
            ["DOTNET_NOLOGO"] = "1",
        });

        using var http = lab.HttpClient();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync("/readyz");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    // Fail in seconds, not after every VM's timeout, when the boot endpoints are missing.
                    using var script = await http.GetAsync("/boot.ipxe");
                    if (script.StatusCode != HttpStatusCode.OK)
                    {
                        throw new InvalidOperationException($"ktizo serve answers GET /boot.ipxe with {(int)script.StatusCode}: the boot endpoints (AddBoot, MapBoot) are not wired into it");
                    }

                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("ktizo serve did not become ready (GET /readyz) within 90 s; see gatekeeper.log");
            }

            await Task.Delay(500);
        }
    }
}
