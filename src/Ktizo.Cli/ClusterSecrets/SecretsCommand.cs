using System.CommandLine;
using Ktizo.Cli.Commands;
using Ktizo.Core;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;

namespace Ktizo.Cli.ClusterSecrets;

/// <summary><c>ktizo secrets …</c>: the cluster's secrets bundle (docs/secrets.md).</summary>
public static class SecretsCommand
{
    public static Command Create(CliConsole console) =>
        new("secrets", "The cluster's secrets bundle: generate it (kept out of git; docs/secrets.md)")
        {
            Generate(console),
            AgeCommands.Encrypt(console),
            AgeCommands.Decrypt(console),
            SecretsExtractCommand.Create(console),
        };

    private static Command Generate(CliConsole console)
    {
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Write the bundle to this new file (mode 0600) instead of standard output",
        };
        var recipients = AgeCommands.RecipientOption("--age-recipient", "Write the bundle encrypted with age to this recipient (age1…; repeat for several) instead of in plain text; needs --out");
        var command = new Command("generate", "A new bundle with real keys of the types talosctl uses, in talosctl's secrets.yaml format") { output, recipients };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var bundle = BundleGenerator.Generate();
            var text = SecretsBundleWriter.Write(bundle);
            if (parse.GetValue(recipients) is { Length: > 0 } to)
            {
                var target = parse.GetValue(output) ?? throw new KtizoException("--age-recipient needs --out FILE.age");
                AgeCommands.WriteEncrypted(console, target.FullName, text, bundle, AgeCommands.Recipients(to));
            }
            else if (parse.GetValue(output) is { } file)
            {
                SecretsFile.WriteNew(file.FullName, text);
                console.Error.WriteLine($"wrote a new secrets bundle to {file.FullName} (fingerprint {bundle.Fingerprint}); keep it out of git");
            }
            else
            {
                console.Out.Write(text);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
