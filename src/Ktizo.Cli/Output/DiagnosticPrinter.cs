using System.Text.Json;
using Ktizo.Core.Validation;

namespace Ktizo.Cli.Output;

public enum OutputFormat
{
    Text,
    Json,
}

/// <summary>Prints diagnostics as people, scripts (JSON) and GitHub Actions (annotations) read them.</summary>
public static class DiagnosticPrinter
{
    public static void Print(CliConsole console, IReadOnlyList<Diagnostic> errors, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            return; // the JSON document carries them; see WriteJson
        }

        foreach (var error in errors)
        {
            console.Error.WriteLine(error.ToString());
        }

        if (console.InGitHubActions)
        {
            foreach (var error in errors)
            {
                console.Out.WriteLine(Annotation(error));
            }
        }
    }

    /// <summary>A GitHub workflow command: <c>::error file=F,line=L,col=C,title=CODE::message</c>.</summary>
    public static string Annotation(Diagnostic error)
    {
        var location = error.Location;
        var position = location.Line > 0 ? $",line={location.Line},col={location.Column}" : string.Empty;
        return $"::error file={Property(location.File)}{position},title={Property(error.Code)}::{Data(error.Message)}";
    }

    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<Diagnostic> errors)
    {
        json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteString("code", error.Code);
            json.WriteString("message", error.Message);
            json.WriteString("file", error.Location.File);
            json.WriteNumber("line", error.Location.Line);
            json.WriteNumber("column", error.Location.Column);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    // Escaping as GitHub's toolkit does it (actions/toolkit, command.ts).
    private static string Data(string s) => s.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    private static string Property(string s) => Data(s).Replace(":", "%3A").Replace(",", "%2C");
}
