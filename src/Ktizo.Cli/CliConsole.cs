namespace Ktizo.Cli;

/// <summary>Where a command writes, and what it reads of the environment: the seam tests replace.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, Func<string, string?> GetEnvironment)
{
    public static CliConsole System { get; } = new(global::System.Console.Out, global::System.Console.Error, Environment.GetEnvironmentVariable);

    /// <summary>Under GitHub Actions errors are also written as workflow commands, which become annotations on the pull request.</summary>
    public bool InGitHubActions => GetEnvironment("GITHUB_ACTIONS") == "true";
}
