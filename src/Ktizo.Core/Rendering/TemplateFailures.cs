using Ktizo.Core.Validation;
using Scriban.Syntax;

namespace Ktizo.Core.Rendering;

/// <summary>
/// The error code of a template that failed while running. A template stopped by a limit gets the limit's
/// own code, so a reader (and a script) can tell a stuck or hostile template from a typo.
/// </summary>
internal static class TemplateFailures
{
    public const string Runtime = "template-runtime";
    public const string Timeout = "template-timeout";
    public const string LoopLimit = "template-loop-limit";
    public const string RecursionLimit = "template-recursion-limit";
    public const string TooLarge = "template-output-too-large";

    /// <summary>
    /// Scriban raises its limits as plain runtime errors; only the message tells which limit. The wording is
    /// pinned by HostileInputTests, so a Scriban upgrade that changes it fails a test instead of a code.
    /// </summary>
    public static Diagnostic FromScriban(ScriptRuntimeException e, string path)
    {
        var at = new SourceLocation(path, e.Span.Start.Line + 1, e.Span.Start.Column + 1);
        var message = e.OriginalMessage;
        var code = e switch
        {
            TemplateTooLargeException => TooLarge,
            _ when message.StartsWith("Exceeding number of iteration limit", StringComparison.Ordinal)
                || message.Contains("exceeds LoopLimit", StringComparison.Ordinal) => LoopLimit,
            _ when message.StartsWith("Exceeding number of recursive depth limit", StringComparison.Ordinal) => RecursionLimit,
            _ when message.Contains("LimitToString", StringComparison.Ordinal) => TooLarge,
            _ => Runtime,
        };
        return new Diagnostic(code, message, at);
    }
}
