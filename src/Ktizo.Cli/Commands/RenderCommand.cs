using System.CommandLine;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core.Rendering;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo render --out DIR</c>: the very bytes each machine will receive, one file per device named by its
/// MAC, plus manifest.json. Nothing is written when the repository has errors, and the folder is replaced
/// whole, so it never holds half of one render and half of another.
/// </summary>
public static class RenderCommand
{
    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var format = CommonOptions.Format();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "The folder to write to (replaced whole)",
            Required = true,
        };
        var schema = CommonOptions.Schema();
        var secrets = ClusterSecrets.SecretsOptions.File();
        var command = new Command("render", "Render every approved device's config into a folder") { repo, rev, format, output, schema, secrets };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var schemas = CommonOptions.Schemas(parse.GetValue(schema));
            using var source = TreeSource.Open(parse.GetValue(repo)!, parse.GetValue(rev));
            var bundle = ClusterSecrets.SecretsOptions.Load(parse.GetValue(secrets));
            var result = Renderer.Render(source.Tree, schemas: schemas, secrets: bundle);
            ClusterSecrets.SecretsOptions.NotePlaceholders(console, bundle);
            if (!result.IsValid)
            {
                if (parse.GetValue(format) == OutputFormat.Json)
                {
                    JsonOutput.Write(console, json =>
                    {
                        json.WriteBoolean("valid", false);
                        DiagnosticPrinter.WriteJson(json, result.Errors);
                    });
                }
                else
                {
                    DiagnosticPrinter.Print(console, result.Errors, OutputFormat.Text);
                    console.Error.WriteLine($"{result.Errors.Count} error(s); nothing written");
                }

                return ExitCodes.Invalid;
            }

            var set = result.Set!;
            var target = parse.GetValue(output)!.FullName;
            WriteAtomically(target, set);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                JsonOutput.Write(console, json =>
                {
                    json.WriteBoolean("valid", true);
                    json.WriteString("out", target);
                    json.WriteNumber("devices", set.Approved.Count);
                });
            }
            else
            {
                console.Out.WriteLine($"rendered {set.Approved.Count} devices into {target}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteAtomically(string target, RenderedSet set)
    {
        var parent = Path.GetDirectoryName(target.TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var config in set.Approved.Values)
            {
                File.WriteAllBytes(Path.Combine(staging, Manifest.ConfigFileName(config.Mac)), config.Yaml);
            }

            File.WriteAllBytes(Path.Combine(staging, Manifest.FileName), Manifest.Write(set));
            if (Directory.Exists(target))
            {
                var old = staging + ".old";
                Directory.Move(target, old);
                Directory.Move(staging, target);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
