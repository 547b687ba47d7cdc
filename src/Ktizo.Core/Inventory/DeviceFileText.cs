using System.Text;
using Ktizo.Core.Yaml;

namespace Ktizo.Core.Inventory;

/// <summary>
/// What <c>ktizo approve</c> asks for: the values as the user typed them. They are written as given
/// (only a parseable MAC is normalised), so the validator judges exactly what lands in the file.
/// </summary>
public sealed record ApprovedDeviceFields(
    string Mac,
    string Hostname,
    string Role,
    string Ip,
    string? Gateway = null,
    string? InstallDisk = null,
    string? Interface = null)
{
    /// <summary>Kubernetes node labels (an approval rule's <c>labels:</c>); written in key order.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra patch paths (an approval rule's <c>patches:</c>), in order.</summary>
    public IReadOnlyList<string> Patches { get; init; } = [];
}

/// <summary>
/// The text of a device file written by Ktizo itself (<c>ktizo approve</c>, <c>ktizo reject</c>, the
/// pending issue's suggestion). Pure and deterministic: same values, same bytes, keys in the order of
/// docs/inventory.md, LF line ends. Every value is a single YAML scalar: anything that is not plainly
/// a string is double-quoted with escapes, so no value can add a key, a document or a comment.
/// </summary>
public static class DeviceFileText
{
    /// <summary>Where an approved device's file goes, or null when the hostname cannot name a file (the validator says why).</summary>
    public static string? ApprovedPath(string hostname) =>
        ValueRules.Hostname().IsMatch(hostname) ? $"{InventoryReader.DevicesDirectory}/{hostname}.yaml" : null;

    /// <summary><c>inventory/devices/rejected-52-54-00-12-34-56.yaml</c>, the name the example uses.</summary>
    public static string RejectedPath(MacAddress mac) => $"{InventoryReader.DevicesDirectory}/rejected-{mac.ToFileName()}.yaml";

    public static string Approved(ApprovedDeviceFields device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var sb = new StringBuilder(160);
        Line(sb, "mac", NormalisedMac(device.Mac));
        Line(sb, "hostname", device.Hostname);
        Line(sb, "role", device.Role);
        Line(sb, "ip", device.Ip);
        Line(sb, "gateway", device.Gateway);
        Line(sb, "installDisk", device.InstallDisk);
        Line(sb, "interface", device.Interface);
        if (device.Labels.Count > 0)
        {
            sb.Append("labels:\n");
            foreach (var (key, value) in device.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                sb.Append("  ").Append(Scalar(key)).Append(": ").Append(Scalar(value)).Append('\n');
            }
        }

        if (device.Patches.Count > 0)
        {
            sb.Append("patches:\n");
            foreach (var patch in device.Patches)
            {
                sb.Append("  - ").Append(Scalar(patch)).Append('\n');
            }
        }

        return sb.ToString();
    }

    public static string Rejected(string mac, string? reason)
    {
        var sb = new StringBuilder(96);
        Line(sb, "mac", NormalisedMac(mac));
        Line(sb, "status", "rejected");
        Line(sb, "reason", reason);
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> as one YAML scalar that reads back as exactly that string: plain when it
    /// is a harmless word, path or address, else double-quoted with every special character escaped.
    /// </summary>
    public static string Scalar(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return IsPlainSafe(value) ? value : Yaml.YamlWriter.DoubleQuoted(value);
    }

    private static void Line(StringBuilder sb, string key, string? value)
    {
        if (value is not null)
        {
            sb.Append(key).Append(": ").Append(Scalar(value)).Append('\n');
        }
    }

    private static string NormalisedMac(string mac) => MacAddress.TryParse(mac, out var parsed) ? parsed.ToString() : mac;

    // Letters, digits and . _ / : - only, starting with a letter, digit or '/', not ending in ':', and
    // not something a YAML 1.1 or 1.2 reader would take for a number, bool, null or timestamp.
    private static bool IsPlainSafe(string value)
    {
        if (value.Length == 0 || value.Length > 200 || value[^1] == ':' || YamlScalars.LooksNonString(value))
        {
            return false;
        }

        if (!(char.IsAsciiLetterOrDigit(value[0]) || value[0] == '/'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
