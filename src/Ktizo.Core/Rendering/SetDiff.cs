using System.Text;
using DiffPlex;
using DiffPlex.Model;
using Ktizo.Core.Redaction;

namespace Ktizo.Core.Rendering;

public enum ChangeKind
{
    Added,
    Removed,
    Changed,
}

/// <summary>One device's change between two rendered sets; <see cref="UnifiedDiff"/> has secrets redacted.</summary>
public sealed record DeviceChange(MacAddress Mac, string Hostname, ChangeKind Kind, string UnifiedDiff, bool SecretsOnly);

/// <summary>What a change to the repository does to what machines receive, device by device.</summary>
public static class SetDiff
{
    private const int Context = 3;

    /// <summary>
    /// The redaction both sides of a diff get: the union of both clusters' Talos versions, so a diff across
    /// an upgrade neither shows on one side what the other hides nor marks a secret as changed.
    /// </summary>
    public static RedactionTable RedactionFor(RenderedSet before, RenderedSet after) =>
        RedactionTable.ForReaders(before.Cluster.TalosVersion).Union(RedactionTable.ForReaders(after.Cluster.TalosVersion));

    public static IReadOnlyList<DeviceChange> Compare(RenderedSet before, RenderedSet after)
    {
        var redaction = RedactionFor(before, after);
        var changes = new List<DeviceChange>();
        var macs = before.Approved.Keys.Union(after.Approved.Keys).Order();
        foreach (var mac in macs)
        {
            before.Approved.TryGetValue(mac, out var a);
            after.Approved.TryGetValue(mac, out var b);
            if (a is not null && b is not null && a.Sha256 == b.Sha256)
            {
                continue;
            }

            var oldText = a is null ? string.Empty : Secrets.Redact(a.Yaml, redaction);
            var newText = b is null ? string.Empty : Secrets.Redact(b.Yaml, redaction);
            var name = mac.ToFileName() + ".yaml";
            var kind = a is null ? ChangeKind.Added : b is null ? ChangeKind.Removed : ChangeKind.Changed;
            var hostname = (b ?? a)!.Device.Hostname;
            changes.Add(new DeviceChange(mac, hostname, kind, Unified(a is null ? "/dev/null" : $"a/{name}", b is null ? "/dev/null" : $"b/{name}", oldText, newText), kind == ChangeKind.Changed && oldText == newText));
        }

        return changes;
    }

    /// <summary>A unified diff (as <c>diff -u</c> prints it) of two texts, with three lines of context.</summary>
    public static string Unified(string oldName, string newName, string oldText, string newText)
    {
        if (oldText == newText)
        {
            return string.Empty;
        }

        var result = Differ.Instance.CreateLineDiffs(oldText, newText, false, false);
        var a = result.PiecesOld;
        var b = result.PiecesNew;
        var sb = new StringBuilder().Append("--- ").Append(oldName).Append('\n').Append("+++ ").Append(newName).Append('\n');
        var blocks = result.DiffBlocks;
        var i = 0;
        while (i < blocks.Count)
        {
            // Blocks closer than two contexts apart share one hunk.
            var j = i;
            while (j + 1 < blocks.Count && blocks[j + 1].DeleteStartA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA) <= 2 * Context)
            {
                j++;
            }

            var startA = Math.Max(0, blocks[i].DeleteStartA - Context);
            var startB = Math.Max(0, blocks[i].InsertStartB - Context);
            var endA = Math.Min(a.Count, blocks[j].DeleteStartA + blocks[j].DeleteCountA + Context);
            var endB = Math.Min(b.Count, blocks[j].InsertStartB + blocks[j].InsertCountB + Context);
            sb.Append($"@@ -{Range(startA, endA - startA)} +{Range(startB, endB - startB)} @@\n");
            var posA = startA;
            for (var k = i; k <= j; k++)
            {
                DiffBlock block = blocks[k];
                for (; posA < block.DeleteStartA; posA++)
                {
                    sb.Append(' ').Append(a[posA]).Append('\n');
                }

                for (var d = 0; d < block.DeleteCountA; d++)
                {
                    sb.Append('-').Append(a[block.DeleteStartA + d]).Append('\n');
                }

                for (var n = 0; n < block.InsertCountB; n++)
                {
                    sb.Append('+').Append(b[block.InsertStartB + n]).Append('\n');
                }

                posA = block.DeleteStartA + block.DeleteCountA;
            }

            for (; posA < endA; posA++)
            {
                sb.Append(' ').Append(a[posA]).Append('\n');
            }

            i = j + 1;
        }

        return sb.ToString();
    }

    private static string Range(int start, int count) => count == 0 ? $"{start},0" : count == 1 ? $"{start + 1}" : $"{start + 1},{count}";
}
