using System.CommandLine;
using System.Text;
using Ktizo.Cli.Commands;
using Ktizo.Core;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Age;

namespace Ktizo.Cli.ClusterSecrets;

/// <summary>
/// <c>ktizo secrets encrypt|decrypt</c>: the bundle in age's format, encrypted to X25519 recipients so that it
/// can live in git (docs/secrets.md). What these write, Debian's <c>age</c> reads, and the other way round.
/// </summary>
public static class AgeCommands
{
    public static Option<string[]> RecipientOption(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
    };

    public static IReadOnlyList<AgeRecipient> Recipients(string[] texts) => texts.Select(AgeRecipient.Parse).ToList();

    /// <summary>The bundle text encrypted to the recipients, written to a new file; says what it wrote on stderr.</summary>
    public static void WriteEncrypted(CliConsole console, string path, string bundleText, SecretsBundle bundle, IReadOnlyList<AgeRecipient> recipients)
    {
        SecretsFile.WriteNew(path, AgeFile.Encrypt(Encoding.UTF8.GetBytes(bundleText), recipients));
        console.Error.WriteLine($"wrote the secrets bundle (fingerprint {bundle.Fingerprint}) encrypted to {string.Join(", ", recipients)} to {path}");
    }

    public static Command Encrypt(CliConsole console)
    {
        var recipients = RecipientOption("--recipient", "An age X25519 recipient (age1…) to encrypt to; repeat for several (the gatekeeper's, each admin's)");
        recipients.Required = true;
        var input = new Option<FileInfo>("--in") { Description = "The secrets bundle (talosctl gen secrets format)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The new encrypted file (e.g. secrets/bundle.yaml.age); never overwritten", Required = true };
        var command = new Command("encrypt", "Encrypt a secrets bundle with age to one or more recipients, so that it can be committed") { recipients, input, output };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var to = Recipients(parse.GetValue(recipients)!);
            var file = parse.GetValue(input)!.FullName;
            var text = File.ReadAllText(file);
            var bundle = SecretsBundleReader.ReadOrThrow(text, file);
            WriteEncrypted(console, parse.GetValue(output)!.FullName, text, bundle, to);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Decrypt(CliConsole console)
    {
        var identity = new Option<FileInfo>("--identity") { Description = "An age identity file (AGE-SECRET-KEY-1…, as age-keygen writes)", Required = true };
        var input = new Option<FileInfo>("--in") { Description = "The age-encrypted bundle", Required = true };
        var output = new Option<string?>("--out") { Description = "The new plaintext file (mode 0600, never overwritten), or - for standard output" };
        var command = new Command("decrypt", "Decrypt an age-encrypted secrets bundle with an identity file") { identity, input, output };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            var target = parse.GetValue(output)
                ?? throw new KtizoException("decrypt writes the cluster's keys: give --out FILE (written 0600), or --out - to print them");
            var identityFile = parse.GetValue(identity)!.FullName;
            var identities = AgeIdentity.ParseFile(File.ReadAllText(identityFile), identityFile);
            var file = parse.GetValue(input)!.FullName;
            if (new FileInfo(file).Length > AgeFile.MaxFileBytes)
            {
                throw new KtizoException($"{file}: over {AgeFile.MaxFileBytes / 1024} KiB, refused (a secrets bundle is a few KB)");
            }

            var plaintext = AgeFile.Decrypt(File.ReadAllBytes(file), identities, file);
            if (target == "-")
            {
                console.Out.Write(Encoding.UTF8.GetString(plaintext));
            }
            else
            {
                SecretsFile.WriteNew(Path.GetFullPath(target), plaintext);
                console.Error.WriteLine($"wrote the decrypted bundle to {Path.GetFullPath(target)} (mode 0600); keep it out of git");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
