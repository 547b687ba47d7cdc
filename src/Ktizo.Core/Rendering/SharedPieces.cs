using System.Runtime.InteropServices;

namespace Ktizo.Core.Rendering;

/// <summary>
/// Holds many rendered configs in little memory. Devices rendered from the same templates differ in a few lines
/// (hostname, MAC, address): at 10,000 devices their flat bytes were most of the gatekeeper's heap. Each config is
/// cut at the lines only it has, and every run of lines between those cuts is stored once for all configs that
/// contain it. Concatenating a config's pieces gives back exactly its bytes.
/// </summary>
public static class SharedPieces
{
    /// <summary>
    /// <paramref name="yamls"/> as pieces, index for index. Lines are compared by content across all of them, so
    /// the more configs at once, the more is shared; a single config stays one piece.
    /// </summary>
    public static byte[][][] Split(IReadOnlyList<byte[]> yamls)
    {
        ArgumentNullException.ThrowIfNull(yamls);
        var result = new byte[yamls.Count][][];
        if (yamls.Count < 2)
        {
            for (var i = 0; i < yamls.Count; i++)
            {
                result[i] = [yamls[i]];
            }

            return result;
        }

        // How many configs have each line (counted once per occurrence; more than one means shared).
        var lineCounts = new Dictionary<ReadOnlyMemory<byte>, int>(BytesComparer.Instance);
        foreach (var yaml in yamls)
        {
            foreach (var line in Lines(yaml))
            {
                ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(lineCounts, line, out _);
                count++;
            }
        }

        var runs = new Dictionary<ReadOnlyMemory<byte>, byte[]>(BytesComparer.Instance);
        var pieces = new List<byte[]>();
        for (var i = 0; i < yamls.Count; i++)
        {
            var yaml = yamls[i];
            pieces.Clear();
            var start = 0;
            bool? shared = null;
            foreach (var line in Lines(yaml))
            {
                var lineShared = lineCounts[line] > 1;
                var offset = LineStart(yaml, line);
                if (shared is { } s && s != lineShared)
                {
                    pieces.Add(Piece(yaml, start, offset, s, runs));
                    start = offset;
                }

                shared = lineShared;
            }

            if (start < yaml.Length || pieces.Count == 0)
            {
                pieces.Add(Piece(yaml, start, yaml.Length, shared ?? false, runs));
            }

            result[i] = [.. pieces];
        }

        return result;
    }

    /// <summary>The bytes <paramref name="pieces"/> stand for.</summary>
    public static byte[] Join(byte[][] pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.Length == 1)
        {
            return pieces[0];
        }

        var bytes = new byte[pieces.Sum(p => p.Length)];
        var at = 0;
        foreach (var piece in pieces)
        {
            piece.CopyTo(bytes, at);
            at += piece.Length;
        }

        return bytes;
    }

    private static byte[] Piece(byte[] yaml, int start, int end, bool shared, Dictionary<ReadOnlyMemory<byte>, byte[]> runs)
    {
        if (start == 0 && end == yaml.Length)
        {
            return yaml;
        }

        var run = new ReadOnlyMemory<byte>(yaml, start, end - start);
        if (!shared)
        {
            return run.ToArray();
        }

        ref var stored = ref CollectionsMarshal.GetValueRefOrAddDefault(runs, run, out var exists);
        if (!exists)
        {
            stored = run.ToArray();
        }

        return stored!;
    }

    // A line's memory always points into yaml itself, so its start is recovered without a second scan.
    private static int LineStart(byte[] yaml, ReadOnlyMemory<byte> line) =>
        MemoryMarshal.TryGetArray(line, out var segment) && ReferenceEquals(segment.Array, yaml) ? segment.Offset : throw new InvalidOperationException("line not from this config");

    /// <summary>Each line with its '\n' (the last one may have none).</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Lines(byte[] yaml)
    {
        var start = 0;
        while (start < yaml.Length)
        {
            var newline = Array.IndexOf(yaml, (byte)'\n', start);
            var end = newline < 0 ? yaml.Length : newline + 1;
            yield return new ReadOnlyMemory<byte>(yaml, start, end - start);
            start = end;
        }
    }

    private sealed class BytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj.Span);
            return hash.ToHashCode();
        }
    }
}
