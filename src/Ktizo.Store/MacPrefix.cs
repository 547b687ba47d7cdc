namespace Ktizo.Store;

/// <summary>What a person types to find a machine, as a prefix of the store's MAC spelling (lower-case colons).</summary>
public static class MacPrefix
{
    /// <summary>
    /// <c>52:54:00</c>, <c>52-54-00</c>, <c>5254.00</c> or <c>525400</c> (any case) give <c>52:54:00</c>; a full MAC
    /// gives itself. False for anything but up to 12 hex digits with separators.
    /// </summary>
    public static bool TryParse(string? text, out string prefix)
    {
        prefix = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 20)
        {
            return false;
        }

        var hex = new System.Text.StringBuilder(12);
        foreach (var c in text.Trim())
        {
            if (Uri.IsHexDigit(c))
            {
                hex.Append(char.ToLowerInvariant(c));
            }
            else if (c is not (':' or '-' or '.'))
            {
                return false;
            }
        }

        if (hex.Length is 0 or > 12)
        {
            return false;
        }

        var spelled = new System.Text.StringBuilder(17);
        for (var i = 0; i < hex.Length; i++)
        {
            if (i > 0 && i % 2 == 0)
            {
                spelled.Append(':');
            }

            spelled.Append(hex[i]);
        }

        prefix = spelled.ToString();
        return true;
    }
}
