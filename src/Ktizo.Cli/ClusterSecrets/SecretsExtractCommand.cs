using System.CommandLine;
using System.Text;
using Ktizo.Cli.Commands;
using Ktizo.Core;
using Ktizo.Core.ClusterSecrets;

namespace Ktizo.Cli.ClusterSecrets;

/// <summary>
/// <c>ktizo secrets extract</c>: the migration of a repository whose base templates still hold the cluster's
/// secrets (docs/secrets.md). Everything is checked before anything is written: the bundle first (a new 0600
/// file, or standard output), then the two templates, each replaced whole by a rename.
/// </summary>
public static class SecretsExtractCommand
{
    private static readonly string[] Templates = ["templates/base/controlplane.yaml", "templates/base/worker.yaml"];

    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Write the bundle to this new file (mode 0600, outside the repository) instead of standard output",
        };
        var command = new Command("extract", "Move the secrets out of templates/base/*.yaml into a bundle (talosctl's secrets.yaml format) and rewrite the templates without them")
        {
            repo, output,
        };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var root = Path.GetFullPath(parse.GetValue(repo)!);
            var paths = Templates.Select(t => Path.Combine(root, t.Replace('/', Path.DirectorySeparatorChar))).ToArray();
            foreach (var path in paths)
            {
                if (!File.Exists(path))
                {
                    throw new KtizoException($"{path} does not exist: extract reads the base templates of a repository (--repo)");
                }
            }

            var outFile = parse.GetValue(output)?.FullName;
            if (outFile is not null && outFile.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new KtizoException($"{outFile} is inside the repository: the bundle belongs outside git (docs/secrets.md)");
            }

            var extracted = SecretsExtraction.Extract(File.ReadAllText(paths[0]), paths[0], File.ReadAllText(paths[1]), paths[1], out var errors);
            if (extracted is null)
            {
                foreach (var error in errors)
                {
                    console.Error.WriteLine(error.ToString());
                }

                console.Error.WriteLine("nothing written: fix the templates and run extract again");
                return ExitCodes.Invalid;
            }

            var text = SecretsBundleWriter.Write(extracted.Bundle);
            if (outFile is not null)
            {
                SecretsFile.WriteNew(outFile, text);
            }
            else
            {
                console.Out.Write(text);
            }

            Replace(paths[0], extracted.ControlPlane);
            Replace(paths[1], extracted.Worker);
            console.Error.WriteLine(
                $"moved the secrets of {Templates[0]} and {Templates[1]} into the bundle {outFile ?? "(standard output)"} (fingerprint {extracted.Bundle.Fingerprint}); " +
                "keep it out of git, render with --secrets, and note the old values stay in git history (rotate them: docs/secrets.md)");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Replace(string path, string text)
    {
        var temp = path + ".ktizo-extract";
        File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, path, overwrite: true);
    }
}
