namespace Ktizo.Cli;

/// <summary>The exit codes scripts and CI rely on (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The inventory or templates have errors.</summary>
    public const int Invalid = 1;

    /// <summary>The command line was wrong, or a file or repository could not be read or written.</summary>
    public const int UsageOrIo = 2;

    /// <summary>Something Ktizo did not expect: a bug, reported with its stack trace.</summary>
    public const int InternalError = 3;
}
