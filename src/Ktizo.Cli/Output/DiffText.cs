using System.Text;
using Ktizo.Core.Rendering;

namespace Ktizo.Cli.Output;

/// <summary>The diff as Markdown: a summary line per device, then each unified diff in a fenced block.</summary>
public static class DiffText
{
    public static string Markdown(RenderedSet before, RenderedSet after, IReadOnlyList<DeviceChange> changes)
    {
        var sb = new StringBuilder();
        sb.Append("## ktizo diff ").Append(Short(before.Commit)).Append(" → ").Append(Short(after.Commit)).Append("\n\n");
        if (SetDiff.RedactionFor(before, after).Note is { } note)
        {
            sb.Append("> ").Append(note).Append("\n\n");
        }

        if (changes.Count == 0)
        {
            sb.Append("No device's config changes.\n");
            return sb.ToString();
        }

        var counts = changes.GroupBy(c => c.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        sb.Append(string.Join(", ", counts)).Append("\n\n");
        foreach (var change in changes)
        {
            sb.Append("- **").Append(change.Hostname).Append("** (`").Append(change.Mac).Append("`): ").Append(change.Kind.ToString().ToLowerInvariant());
            if (change.SecretsOnly)
            {
                sb.Append(" (secret values only; redacted)");
            }

            sb.Append('\n');
        }

        foreach (var change in changes.Where(c => c.UnifiedDiff.Length > 0))
        {
            sb.Append("\n### ").Append(change.Hostname).Append(" (`").Append(change.Mac).Append("`)\n\n```diff\n").Append(change.UnifiedDiff).Append("```\n");
        }

        return sb.ToString();
    }

    private static string Short(string? commit) => commit is null ? "(folder)" : commit[..Math.Min(12, commit.Length)];
}
