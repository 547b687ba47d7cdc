using System.Text.RegularExpressions;

namespace Ktizo.Core.Inventory;

/// <summary>
/// What an inventory value may look like. Each rule admits only characters that cannot change the
/// structure of the YAML a template writes them into (no newline, no ': ', no leading '-', no quotes).
/// </summary>
internal static partial class ValueRules
{
    /// <summary>RFC 1123 label, lower case (Kubernetes node names are lower case).</summary>
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    public static partial Regex Hostname();

    [GeneratedRegex("^/dev/[A-Za-z0-9_./-]{1,200}$")]
    public static partial Regex InstallDisk();

    /// <summary>Linux interface names: at most 15 characters, no slash or whitespace.</summary>
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    public static partial Regex InterfaceName();

    [GeneratedRegex(@"^v?\d{1,3}\.\d{1,3}(\.\d{1,3})?$")]
    public static partial Regex Version();

    /// <summary>Kubernetes label key: optional DNS-subdomain prefix and a name of at most 63 characters.</summary>
    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    public static partial Regex LabelKey();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    public static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    public static partial Regex ClusterName();

    /// <summary>A free-text reason (rejections): one line, no characters YAML treats specially at the start.</summary>
    [GeneratedRegex(@"^[^\r\n\t\x00-\x1f]{0,200}$")]
    public static partial Regex OneLine();

    public static bool IsEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && !string.IsNullOrEmpty(uri.Host)
        && uri.AbsolutePath == "/"
        && string.IsNullOrEmpty(uri.Query)
        && text.All(c => c > ' ' && c != '"' && c != '\'' && c != '#');
}
