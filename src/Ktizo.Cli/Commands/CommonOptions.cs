using System.CommandLine;
using Ktizo.Cli.Output;

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
}
