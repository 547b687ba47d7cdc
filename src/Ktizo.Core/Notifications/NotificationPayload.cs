using System.Text;
using System.Text.Json;

namespace Ktizo.Core.Notifications;

/// <summary>The body a receiver gets: the event as JSON, or <c>{"text": …}</c> for Slack- and Mattermost-style incoming webhooks.</summary>
public static class NotificationPayload
{
    public const string Json = "json";

    public const string Slack = "slack";

    public static readonly IReadOnlyList<string> Formats = [Json, Slack];

    public static byte[] Build(NotificationEvent e, string format) => format switch
    {
        Json => ToJson(e),
        Slack => ToSlack(e),
        _ => throw new ArgumentException($"unknown notification format '{format}'", nameof(format)),
    };

    /// <summary>
    /// <c>{"id", "type", "time", "mac", "hostname", "commit", "text"}</c>, plus <c>count</c> and <c>macs</c> for a
    /// summary; absent values are null. Times are UTC, ISO 8601 with milliseconds.
    /// </summary>
    public static byte[] ToJson(NotificationEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", e.Id);
            writer.WriteString("type", e.Type);
            writer.WriteString("time", e.Time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            StringOrNull(writer, "mac", e.Mac?.ToString());
            StringOrNull(writer, "hostname", e.Hostname);
            StringOrNull(writer, "commit", e.Commit);
            writer.WriteString("text", e.Text);
            if (e.Count is { } count)
            {
                writer.WriteNumber("count", count);
            }

            if (e.Macs is { } macs)
            {
                writer.WriteStartArray("macs");
                foreach (var mac in macs)
                {
                    writer.WriteStringValue(mac.ToString());
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static byte[] ToSlack(NotificationEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("text", $"Ktizo: {e.Text}");
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void StringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
