namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// Reads one parameter straight from the raw query string into a caller's buffer, percent-decoding
/// as it goes: Talos re-encodes its query (<c>mac=52%3A54%3A00%3A12%3A34%3A56</c>), and the hot path
/// should not build a query dictionary for the one value it needs.
/// </summary>
internal static class QueryReader
{
    public enum Outcome
    {
        Missing,
        Found,
        TooLong,
    }

    /// <summary>The first parameter called <paramref name="name"/> (any case); an empty value counts as missing.</summary>
    public static Outcome TryGet(ReadOnlySpan<char> query, ReadOnlySpan<char> name, Span<char> destination, out int written)
    {
        written = 0;
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];

            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (!key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = equals < 0 ? default : pair[(equals + 1)..];
            if (value.IsEmpty)
            {
                return Outcome.Missing;
            }

            return Decode(value, destination, out written) ? Outcome.Found : Outcome.TooLong;
        }

        return Outcome.Missing;
    }

    private static bool Decode(ReadOnlySpan<char> value, Span<char> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (written == destination.Length)
            {
                return false;
            }

            var c = value[i];
            if (c == '%' && i + 2 < value.Length && Hex(value[i + 1]) is var hi and >= 0 && Hex(value[i + 2]) is var lo and >= 0)
            {
                c = (char)((hi << 4) | lo);
                i += 2;
            }
            else if (c == '+')
            {
                c = ' ';
            }

            destination[written++] = c;
        }

        return true;
    }

    private static int Hex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
