using System.CommandLine;
using Ktizo.Cli.Output;
using Ktizo.Core.Rendering;
using Ktizo.Schema;

namespace Ktizo.Cli.Commands;

/// <summary>Options several commands share, declared once so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Repo() => new("--repo")
    {
        Description = "The repository: a folder, or with --rev a git repository",
        DefaultValueFactory = _ => ".",
    };

    public static Option<string?> Rev() => new("--rev")
    {
        Description = "Read this commit (branch, tag, sha) instead of the folder as it is; uncommitted edits are ignored",
    };

    public static Option<OutputFormat> Format() => new("--format")
    {
        Description = "text (default) or json",
        DefaultValueFactory = _ => OutputFormat.Text,
    };

    public static Option<FileInfo?> Schema() => new("--schema")
    {
        Description = "Check every rendered document against this Talos JSON schema (config.schema.json of a Talos release) "
            + "instead of the one Ktizo ships for the cluster's talosVersion; for a Talos release Ktizo has none for",
    };

    /// <summary>The schemas rendered configs are checked against: the given file for any version, else Ktizo's own per Talos minor.</summary>
    public static IConfigSchemas Schemas(FileInfo? schemaFile) =>
        schemaFile is null ? TalosSchemas.Embedded : TalosSchemas.Fixed(TalosSchema.Load(schemaFile.FullName));
}
