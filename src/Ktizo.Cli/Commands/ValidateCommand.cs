using System.CommandLine;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Schema;

namespace Ktizo.Cli.Commands;

/// <summary><c>ktizo validate</c>: every error of the inventory and templates in one run, each at file:line:col.</summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var format = CommonOptions.Format();
        var schema = new Option<FileInfo?>("--schema")
        {
            Description = "Also check every rendered document against this Talos JSON schema (config.schema.json of a Talos release)",
        };
        var command = new Command("validate", "Check the inventory and templates, and render every device to prove it works") { repo, rev, format, schema };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var schemaFile = parse.GetValue(schema);
            var talosSchema = schemaFile is null ? null : TalosSchema.Load(schemaFile.FullName);
            using var source = TreeSource.Open(parse.GetValue(repo)!, parse.GetValue(rev));
            var result = Renderer.Render(source.Tree);
            var errors = result.Errors.ToList();
            if (result.Set is not null && talosSchema is not null)
            {
                errors.AddRange(talosSchema.Validate(result.Set));
            }

            Report(console, parse.GetValue(format), result, errors);
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid;
        }));
        return command;
    }

    private static void Report(CliConsole console, OutputFormat format, RenderResult result, IReadOnlyList<Diagnostic> errors)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(console, writer =>
            {
                writer.WriteBoolean("valid", errors.Count == 0);
                writer.WriteString("commit", result.Set?.Commit);
                writer.WriteNumber("devices", result.Set?.Approved.Count ?? 0);
                DiagnosticPrinter.WriteJson(writer, errors);
            });
            return;
        }

        DiagnosticPrinter.Print(console, errors, format);
        if (errors.Count == 0)
        {
            var set = result.Set!;
            console.Out.WriteLine($"valid: {set.Approved.Count} approved and {set.Rejected.Count} rejected devices rendered{(set.Commit is null ? string.Empty : $" from {set.Commit[..12]}")}");
            console.Out.WriteLine(ClusterSecrets.SecretsOptions.PlaceholderNote); // validation never needs the real secrets
        }
        else
        {
            console.Error.WriteLine($"{errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}");
        }
    }
}
