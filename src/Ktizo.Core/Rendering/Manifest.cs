using System.Text.Json;

namespace Ktizo.Core.Rendering;

/// <summary>
/// <c>manifest.json</c> beside the rendered files: the source commit and, per device, what it gets.
/// Deterministic: devices sorted by MAC, fixed property order.
/// </summary>
public static class Manifest
{
    public const string FileName = "manifest.json";

    /// <summary>The file name a device's rendered config is written to: its MAC with hyphens, portable everywhere.</summary>
    public static string ConfigFileName(MacAddress mac) => mac.ToFileName() + ".yaml";

    public static byte[] Write(RenderedSet set)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("commit", set.Commit);
            json.WriteString("cluster", set.Cluster.Name);
            json.WriteStartArray("devices");
            foreach (var config in set.Approved.Values.OrderBy(c => c.Mac))
            {
                json.WriteStartObject();
                json.WriteString("mac", config.Mac.ToString());
                json.WriteString("hostname", config.Device.Hostname);
                json.WriteString("role", Inventory.Roles.Name(config.Device.Role));
                json.WriteString("source", config.Device.File);
                json.WriteString("file", ConfigFileName(config.Mac));
                json.WriteString("sha256", config.Sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("rejected");
            foreach (var rejected in set.Rejected.Values.OrderBy(r => r.Mac))
            {
                json.WriteStartObject();
                json.WriteString("mac", rejected.Mac.ToString());
                json.WriteString("source", rejected.File);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
