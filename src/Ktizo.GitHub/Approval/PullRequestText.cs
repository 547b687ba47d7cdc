using System.Net;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;

namespace Ktizo.GitHub.Approval;

/// <summary>
/// Titles and bodies of the pull requests <c>approve --pr</c> and <c>reject --pr</c> open. Every value
/// shown has passed the validator, so none can break the Markdown; the rendered config is shown with
/// its secrets redacted, as a reviewer may read it but must not copy its keys.
/// </summary>
public static class PullRequestText
{
    /// <summary>GitHub refuses bodies over 65,536 characters; the rendered config is cut to stay well below.</summary>
    public const int MaxConfigCharacters = 50_000;

    public static string ApproveTitle(RenderedConfig config)
    {
        var d = config.Device;
        return $"Approve {d.Mac} as {d.Hostname} ({d.Role.Name()}, {d.Ip})";
    }

    public static string ApproveBody(RenderedSet set, RenderedConfig config)
    {
        var d = config.Device;
        var sb = new StringBuilder();
        sb.Append("Approves the machine `").Append(d.Mac).Append("` as **").Append(d.Hostname).Append("**: once this is merged, the gatekeeper serves it the config below at its next sync.\n\n");
        sb.Append("| | |\n|---|---|\n");
        Row(sb, "MAC", d.Mac.ToString());
        Row(sb, "hostname", d.Hostname);
        Row(sb, "role", d.Role.Name());
        Row(sb, "address", d.Ip.ToString());
        Row(sb, "gateway", d.Gateway?.ToString());
        Row(sb, "install disk", d.InstallDisk);
        Row(sb, "interface", d.Interface);
        Row(sb, "cluster", set.Cluster.Name);
        Row(sb, "rendered config sha256", config.Sha256);
        sb.Append('\n');

        var yaml = Secrets.Redact(config.Yaml, set.Cluster.TalosVersion);
        var cut = yaml.Length > MaxConfigCharacters;
        if (cut)
        {
            var end = yaml.LastIndexOf('\n', MaxConfigCharacters);
            yaml = yaml[..(end > 0 ? end : MaxConfigCharacters)] + "\n";
        }

        var fence = Fence(yaml);
        sb.Append("<details><summary>Rendered config (")
            .Append(config.Length).Append(" bytes, secret values redacted")
            .Append(cut ? ", cut short" : string.Empty).Append(")</summary>\n\n")
            .Append(fence).Append("yaml\n").Append(yaml).Append(fence).Append("\n\n</details>\n");
        sb.Append("\nValidated and rendered by `ktizo approve` with the file added; the validate workflow checks it again on this pull request.\n");
        return sb.ToString();
    }

    public static string RejectTitle(MacAddress mac) => $"Reject {mac}";

    public static string RejectBody(RejectedDevice device)
    {
        var sb = new StringBuilder();
        sb.Append("Rejects the machine `").Append(device.Mac).Append("`: once this is merged, the gatekeeper answers it 403 and it never receives a config.\n");
        if (!string.IsNullOrEmpty(device.Reason))
        {
            sb.Append("\nReason: ").Append(WebUtility.HtmlEncode(device.Reason)).Append('\n');
        }

        sb.Append("\nValidated by `ktizo reject` with the file added; the validate workflow checks it again on this pull request.\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append("| ").Append(name).Append(" | `").Append(value).Append("` |\n");
        }
    }

    /// <summary>A backtick fence longer than any run of backticks in <paramref name="text"/>.</summary>
    private static string Fence(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return new string('`', Math.Max(3, longest + 1));
    }
}
