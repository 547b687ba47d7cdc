using System.CommandLine;
using Ktizo.Cli.Gatekeeper;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core;
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
        var gatekeeper = new Option<string?>("--gatekeeper")
        {
            Description = $"A gatekeeper's URL (default: {GatekeeperApi.GatekeeperVariable}, else none): also say which installed machines the change leaves drifted (token from {GatekeeperApi.ViewerTokenVariable} or {GatekeeperApi.AdminTokenVariable})",
        };
        var command = new Command("diff", "Show how the rendered configs differ between two commits") { before, after, repo, format, gatekeeper };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, async () =>
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
            IReadOnlyList<LeftDrifted.Machine>? installed = null;
            string? unasked = null;
            if (GatekeeperApi.Url(console, parse.GetValue(gatekeeper), fallback: null) is { } url)
            {
                try
                {
                    installed = await LeftDrifted.FindAsync(console, url, changes, cancellationToken).ConfigureAwait(false);
                }
                catch (KtizoException e)
                {
                    // The diff stands on its own: a gatekeeper that cannot be asked costs only the paragraph, said so.
                    unasked = $"The gatekeeper could not be asked which installed machines this leaves drifted: {e.Message}";
                    console.Error.WriteLine($"warning: {unasked}");
                }
            }
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
                    if (installed is not null)
                    {
                        json.WriteStartArray("leftDrifted");
                        foreach (var machine in installed)
                        {
                            json.WriteStartObject();
                            json.WriteString("mac", machine.Mac.ToString());
                            json.WriteString("hostname", machine.Hostname);
                            json.WriteString("driftNow", machine.StateNow);
                            json.WriteEndObject();
                        }

                        json.WriteEndArray();
                    }
                });
            }
            else
            {
                console.Out.Write(DiffText.Markdown(a.Set!, b.Set!, changes));
                if (installed is { Count: > 0 })
                {
                    console.Out.Write(LeftDrifted.Markdown(installed));
                }
                else if (unasked is not null)
                {
                    console.Out.Write($"\n> {unasked}\n");
                }
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
