using System.Text;
using System.Text.Json;

namespace Ktizo.Cli.Output;

/// <summary>Writes one indented JSON object to standard output (<c>--format json</c>).</summary>
public static class JsonOutput
{
    public static void Write(CliConsole console, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
