using System.CommandLine;
using Ktizo.Core.ClusterSecrets;

namespace Ktizo.Cli.ClusterSecrets;

/// <summary>
/// <c>--secrets FILE</c> for the commands that render: without it they render with placeholder secrets, which
/// is all validate and diff need, and say so on stderr (the configs are then fit to read, not to serve).
/// </summary>
public static class SecretsOptions
{
    public static Option<FileInfo?> File() => new("--secrets")
    {
        Description = "The cluster's secrets bundle (talosctl gen secrets format); without it, placeholder secrets of the right shape",
    };

    public static SecretsBundle? Load(FileInfo? file) =>
        file is null ? null : SecretsBundleReader.ReadOrThrow(System.IO.File.ReadAllText(file.FullName), file.FullName);

    public const string PlaceholderNote =
        "note: rendered with placeholder secrets (no --secrets bundle given): fine for checking, not for a machine; see docs/secrets.md";

    public static void NotePlaceholders(CliConsole console, SecretsBundle? bundle)
    {
        if (bundle is null)
        {
            console.Error.WriteLine(PlaceholderNote);
        }
    }
}
