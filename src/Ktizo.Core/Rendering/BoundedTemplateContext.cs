using System.Collections;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Ktizo.Core.Rendering;

/// <summary>
/// A Scriban context that refuses to build more than a template may: Scriban bounds loops, recursion and
/// object-to-string, but not a string doubled by concatenation nor an array doubled by <c>array.add_range</c>,
/// which reach gigabytes in a few steps. Every evaluated value and every write is checked against the caps.
/// </summary>
internal sealed class BoundedTemplateContext : TemplateContext
{
    public int MaxChars { get; set; } = RenderLimits.Default.MaxOutputChars;

    public int MaxItems { get; set; } = RenderLimits.Default.MaxItems;

    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        var value = base.Evaluate(scriptNode, aliasReturnedFunction);
        if (value is string text && text.Length > MaxChars)
        {
            throw new TemplateTooLargeException(scriptNode!.Span, $"a string of {text.Length} characters is over the limit of {MaxChars}");
        }

        if (value is ICollection items && items.Count > MaxItems)
        {
            throw new TemplateTooLargeException(scriptNode!.Span, $"a collection of {items.Count} items is over the limit of {MaxItems}");
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
