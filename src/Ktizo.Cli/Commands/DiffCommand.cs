using System.CommandLine;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo diff REV_A REV_B</c>: what a change does to the configs machines receive, device by device,
/// with secret values redacted. The text is Markdown-friendly so CI can put it in a job summary or comment.
/// </summary>
public static class DiffCommand
{
    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var format = CommonOptions.Format();
        var before = new Argument<string>("REV_A") { Description = "The base revision (e.g. main)" };
        var after = new Argument<string>("REV_B") { Description = "The revision to compare (e.g. HEAD)" };
        var command = new Command("diff", "Show how the rendered configs differ between two commits") { before, after, repo, format };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var path = parse.GetValue(repo)!;
            var a = RenderAt(path, parse.GetValue(before)!);
            var b = RenderAt(path, parse.GetValue(after)!);
            ClusterSecrets.SecretsOptions.NotePlaceholders(console, null); // both sides: the same placeholders, so a diff never shows a secret
            var errors = a.Errors.Select(e => e with { Message = $"[{parse.GetValue(before)}] {e.Message}" })
                .Concat(b.Errors.Select(e => e with { Message = $"[{parse.GetValue(after)}] {e.Message}" }))
                .ToList();
            if (errors.Count > 0)
            {
                Fail(console, parse.GetValue(format), errors);
                return ExitCodes.Invalid;
            }

            var changes = SetDiff.Compare(a.Set!, b.Set!);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                JsonOutput.Write(console, json =>
                {
                    json.WriteString("from", a.Set!.Commit);
                    json.WriteString("to", b.Set!.Commit);
                    var redaction = SetDiff.RedactionFor(a.Set!, b.Set!);
                    json.WriteString("redactedAs", redaction.Name);
                    if (redaction.Note is { } note)
                    {
                        json.WriteString("redactionNote", note);
                    }

                    json.WriteStartArray("changes");
                    foreach (var change in changes)
                    {
                        json.WriteStartObject();
                        json.WriteString("mac", change.Mac.ToString());
                        json.WriteString("hostname", change.Hostname);
                        json.WriteString("kind", change.Kind.ToString().ToLowerInvariant());
                        json.WriteBoolean("secretsOnly", change.SecretsOnly);
                        json.WriteString("diff", change.UnifiedDiff);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                });
            }
            else
            {
                console.Out.Write(DiffText.Markdown(a.Set!, b.Set!, changes));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static RenderResult RenderAt(string repository, string revision)
    {
        using var source = TreeSource.Open(repository, revision);
        return Renderer.Render(source.Tree);
    }

    private static void Fail(CliConsole console, OutputFormat format, IReadOnlyList<Diagnostic> errors)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(console, json => DiagnosticPrinter.WriteJson(json, errors));
        }
        else
        {
            DiagnosticPrinter.Print(console, errors, format);
        }
    }
}
