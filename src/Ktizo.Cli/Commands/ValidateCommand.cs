using System.CommandLine;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo validate</c>: every error of the inventory and templates in one run, each at file:line:col, including
/// every rendered config checked against the Talos config schema of the cluster's <c>talosVersion</c>.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var format = CommonOptions.Format();
        var schema = CommonOptions.Schema();
        var command = new Command("validate", "Check the inventory and templates, and render every device to prove it works") { repo, rev, format, schema };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var schemas = CommonOptions.Schemas(parse.GetValue(schema));
            using var source = TreeSource.Open(parse.GetValue(repo)!, parse.GetValue(rev));
            var result = Renderer.Render(source.Tree, schemas: schemas);
            var errors = result.Errors;
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
