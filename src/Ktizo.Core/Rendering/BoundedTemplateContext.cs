using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Ktizo.Core.Rendering;

/// <summary>
/// A Scriban context that refuses to build more than a template may. Scriban bounds loops (its loop limit also
/// counts the items a built-in copies, so arrays stay small), recursion and object-to-string, but not a string
/// doubled by concatenation, which reaches a gigabyte in thirty steps. Every evaluated string and every write
/// is checked against the cap.
/// </summary>
internal sealed class BoundedTemplateContext : TemplateContext
{
    public int MaxChars { get; set; } = RenderLimits.Default.MaxOutputChars;

    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        var value = base.Evaluate(scriptNode, aliasReturnedFunction);
        if (value is string text && text.Length > MaxChars)
        {
            throw new TemplateTooLargeException(scriptNode!.Span, $"a string of {text.Length} characters is over the limit of {MaxChars}");
        }

        return value;
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        base.Write(span, textAsObject);
        if (Output is StringBuilderOutput output && output.Builder.Length > MaxChars)
        {
            throw new TemplateTooLargeException(span, $"the template's output is over {MaxChars} characters");
        }

        return this;
    }
}

/// <summary>A template built a value or an output over <see cref="BoundedTemplateContext"/>'s caps.</summary>
internal sealed class TemplateTooLargeException(SourceSpan span, string message) : ScriptRuntimeException(span, message);
