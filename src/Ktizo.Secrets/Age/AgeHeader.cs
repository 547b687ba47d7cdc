using System.Text;
using Ktizo.Core;

namespace Ktizo.Crypto.Age;

/// <summary>One recipient stanza: <c>-> TYPE ARG…</c> and its body.</summary>
internal sealed record AgeStanza(IReadOnlyList<string> Arguments, byte[] Body)
{
    public string Type => Arguments[0];
}

/// <summary>
/// The text header of an age v1 file (age-encryption.org/v1): the version line, the stanzas, and
/// <c>--- MAC</c>. Parsed strictly: LF line ends, arguments of printable ASCII separated by one space,
/// bodies in canonical unpadded base64 wrapped at 64 columns and ended by a shorter line.
/// </summary>
internal sealed record AgeHeader(IReadOnlyList<AgeStanza> Stanzas, byte[] Mac, int MacInputLength, int Length)
{
    public const string VersionLine = "age-encryption.org/v1";
    public const int MaxStanzas = 20;
    private const int ColumnsPerLine = 64;

    /// <summary>The header's text up to and including <c>---</c>, the input of the MAC.</summary>
    public static string MacInput(IEnumerable<AgeStanza> stanzas)
    {
        var text = new StringBuilder(VersionLine).Append('\n');
        foreach (var stanza in stanzas)
        {
            text.Append("-> ").AppendJoin(' ', stanza.Arguments).Append('\n');
            var body = AgeBase64.Encode(stanza.Body);
            for (var at = 0; ; at += ColumnsPerLine)
            {
                var line = body[at..Math.Min(body.Length, at + ColumnsPerLine)];
                text.Append(line).Append('\n');
                if (line.Length < ColumnsPerLine)
                {
                    break;
                }
            }
        }

        return text.Append("---").ToString();
    }

    public static AgeHeader Parse(byte[] file, string name)
    {
        var at = 0;
        string NextLine()
        {
            var end = file.AsSpan(at).IndexOf((byte)'\n');
            if (end < 0)
            {
                throw new KtizoException($"{name}: the age header ends early (truncated, or not an age file)");
            }

            var bytes = file.AsSpan(at, end);
            foreach (var b in bytes)
            {
                if (b < 32 || b > 126)
                {
                    throw new KtizoException($"{name}: the age header holds a byte outside printable ASCII");
                }
            }

            at += end + 1;
            return Encoding.ASCII.GetString(bytes);
        }

        if (file.AsSpan().StartsWith("-----BEGIN AGE ENCRYPTED FILE-----"u8))
        {
            throw new KtizoException($"{name}: an armored (age -a) file; encrypt without -a (binary), as Ktizo reads and writes it");
        }

        if (NextLine() != VersionLine)
        {
            throw new KtizoException($"{name}: not an age v1 file (the first line is not {VersionLine})");
        }

        var stanzas = new List<AgeStanza>();
        while (true)
        {
            var line = NextLine();
            if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                var macInputLength = at - line.Length - 1 + 3;
                var mac = AgeBase64.Decode(line[4..], $"{name}: the header MAC");
                if (mac.Length != 32)
                {
                    throw new KtizoException($"{name}: the header MAC is {mac.Length} bytes, not 32");
                }

                if (stanzas.Count == 0)
                {
                    throw new KtizoException($"{name}: the age header has no recipient stanza");
                }

                return new AgeHeader(stanzas, mac, macInputLength, at);
            }

            if (!line.StartsWith("-> ", StringComparison.Ordinal))
            {
                throw new KtizoException($"{name}: a malformed age header line (expected '-> ' or '--- ')");
            }

            if (stanzas.Count == MaxStanzas)
            {
                throw new KtizoException($"{name}: more than {MaxStanzas} recipient stanzas");
            }

            var arguments = line[3..].Split(' ');
            if (arguments.Any(a => a.Length == 0))
            {
                throw new KtizoException($"{name}: a stanza with an empty argument (a doubled or trailing space)");
            }

            var body = new StringBuilder();
            while (true)
            {
                var bodyLine = NextLine();
                if (bodyLine.Length > ColumnsPerLine)
                {
                    throw new KtizoException($"{name}: a stanza body line longer than {ColumnsPerLine} columns");
                }

                body.Append(bodyLine);
                if (bodyLine.Length < ColumnsPerLine)
                {
                    break;
                }
            }

            stanzas.Add(new AgeStanza(arguments, AgeBase64.Decode(body.ToString(), $"{name}: a stanza body")));
        }
    }
}
