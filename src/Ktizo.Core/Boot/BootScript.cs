using System.Text;

namespace Ktizo.Core.Boot;

/// <summary>
/// The iPXE script the gatekeeper serves as <c>/boot.ipxe</c>: Talos's kernel and initramfs over HTTP,
/// and a <c>talos.config</c> URL in which iPXE itself fills in the MAC of the NIC it booted from.
/// </summary>
public static class BootScript
{
    /// <summary>What the gatekeeper serves under <c>/talos/</c>, named as Talos's release assets are.</summary>
    public const string KernelFile = "vmlinuz";

    public const string InitramfsFile = "initramfs.xz";

    /// <summary>
    /// iPXE expands every <c>${…}</c> itself, with no escape: <c>${mac:hexhyp}</c> becomes
    /// <c>52-54-00-12-34-56</c> (a notation the gatekeeper accepts) and <c>${uuid}</c> the SMBIOS UUID.
    /// </summary>
    public const string ConfigQuery = "?mac=${mac:hexhyp}&uuid=${uuid}";

    /// <summary>
    /// The script for a gatekeeper reachable at <paramref name="baseUrl"/> (scheme, host, port and an
    /// optional path prefix). <paramref name="kernelArgs"/> come after <c>talos.platform=metal</c>,
    /// console arguments included; each must be one word.
    /// </summary>
    public static string Render(Uri baseUrl, IEnumerable<string> kernelArgs) => Render(baseUrl, kernelArgs, deviceAuth: false);

    /// <param name="deviceAuth">
    /// True when some device's <c>deviceAuth</c> is on: Talos then runs the OAuth device flow against the
    /// gatekeeper before its config download (<see cref="DeviceAuthArgs"/>, docs/device-auth.md).
    /// </param>
    public static string Render(Uri baseUrl, IEnumerable<string> kernelArgs, bool deviceAuth)
    {
        var root = BaseUrl(baseUrl);
        var args = kernelArgs.Where(a => a.Length > 0).Concat(deviceAuth ? DeviceAuthArgs(root) : []).ToList();
        foreach (var arg in args)
        {
            // A space would split the word; a newline would start a new iPXE command.
            if (arg.Any(char.IsWhiteSpace) || arg.Any(char.IsControl))
            {
                throw new KtizoException($"kernel argument '{arg.ReplaceLineEndings(" ")}' must be one word without spaces or control characters");
            }
        }

        // EFI iPXE needs the initrd named and the name on the kernel line, or the kernel cannot find
        // its initramfs; the BIOS build does not mind either.
        var kernel = new StringBuilder()
            .Append("kernel ").Append(root).Append("/talos/").Append(KernelFile)
            .Append(" initrd=").Append(InitramfsFile)
            .Append(" talos.platform=metal");
        foreach (var arg in args)
        {
            kernel.Append(' ').Append(arg);
        }

        kernel.Append(" talos.config=").Append(root).Append("/api/v1/config/download").Append(ConfigQuery);

        return new StringBuilder()
            .Append("#!ipxe\n")
            .Append("# Ktizo: boot Talos; Talos then asks the gatekeeper for this machine's config.\n")
            .Append(kernel).Append('\n')
            .Append("initrd --name ").Append(InitramfsFile).Append(' ').Append(root).Append("/talos/").Append(InitramfsFile).Append('\n')
            .Append("boot\n")
            .ToString();
    }

    /// <summary>
    /// Talos's <c>talos.config.oauth.*</c> arguments (its metal platform's oauth2 package reads these names): the
    /// client id that turns the flow on, the MAC and uuid sent as form fields on every request (so a flow is
    /// bound to the machine that asks), and both endpoint URLs written out rather than left to Talos's default
    /// (the config URL with its path replaced), which would drop a path prefix of the base URL.
    /// </summary>
    public static IEnumerable<string> DeviceAuthArgs(string root) =>
    [
        "talos.config.oauth.client_id=ktizo",
        "talos.config.oauth.extra_variable=mac",
        "talos.config.oauth.extra_variable=uuid",
        $"talos.config.oauth.device_auth_url={root}/device/code",
        $"talos.config.oauth.token_url={root}/token",
    ];

    /// <summary>The base URL as it appears in the script: no trailing slash, nothing iPXE would expand.</summary>
    public static string BaseUrl(Uri baseUrl)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new KtizoException($"the public base URL '{baseUrl}' must be an absolute http:// or https:// URL");
        }

        if (baseUrl.Query.Length > 0 || baseUrl.Fragment.Length > 0)
        {
            throw new KtizoException($"the public base URL '{baseUrl}' must not have a query or fragment");
        }

        var text = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // Uri escapes spaces and braces, but a literal "$" stays and iPXE would expand "${…}" or fail on it.
        if (text.Contains('$'))
        {
            throw new KtizoException($"the public base URL '{baseUrl}' must not contain '$' (iPXE expands it)");
        }

        return text;
    }
}
