using System.Text.RegularExpressions;
using Ktizo.Testing;

namespace Ktizo.Cli.Tests;

/// <summary>The settings table of docs/gatekeeper.md and `ktizo serve --help` say the same thing.</summary>
public sealed partial class ServeHelpTests
{
    [Fact]
    public void ServeHelp_ListsEverySettingOfTheDocumentedTable_WithItsDefaultAndVariable()
    {
        var rows = DocumentedSettings();
        var run = CliRun.Invoke("serve", "--help");
        // Help wraps long descriptions; compare with runs of white space collapsed.
        var help = Whitespace().Replace(run.Out, " ");

        Assert.Equal(0, run.ExitCode);
        Assert.True(rows.Count >= 30, $"only {rows.Count} rows parsed from docs/gatekeeper.md");
        foreach (var (flag, variable, fallback) in rows)
        {
            var entry = Regex.Match(help, Regex.Escape(flag) + @" <\w+> (.*?)(?= --[a-z]|$)");
            Assert.True(entry.Success, $"{flag} is not in ktizo serve --help");
            Assert.Contains($"[default: {fallback}] [env: {variable}]", entry.Groups[1].Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Serve_WithARenamedFlag_IsAUsageErrorNamingTheNewFlag()
    {
        var run = CliRun.Invoke("serve", "--github-api-url", "https://ghe.example.com/api/v3/");

        Assert.Equal(ExitCodes.UsageOrIo, run.ExitCode);
        Assert.Contains("--github-api-url is not read any more: use --github-api-base-url instead", run.Error, StringComparison.Ordinal);
    }

    private static List<(string Flag, string Variable, string Default)> DocumentedSettings()
    {
        var doc = File.ReadAllLines(Path.Combine(ExampleRepository.Root, "docs", "gatekeeper.md"));
        var header = Array.FindIndex(doc, l => l.StartsWith("| setting | flag | environment variable | appsettings.json key | default |", StringComparison.Ordinal));
        Assert.True(header >= 0, "the settings table is missing from docs/gatekeeper.md");
        var rows = new List<(string, string, string)>();
        foreach (var line in doc.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|').Select(c => c.Trim().Trim('`')).ToArray();
            rows.Add((cells[2], cells[3], cells[5]));
        }

        return rows;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
