using System.Reflection;
using System.Text;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// One setting, declared once; every spelling follows from its configuration key (docs/gatekeeper.md):
/// <c>GitHub:ApiBaseUrl</c> is the appsettings.json key <c>{"GitHub": {"ApiBaseUrl": …}}</c>, the environment
/// variable <c>KTIZO_GITHUB__APIBASEURL</c> (Microsoft.Extensions.Configuration's own convention under the
/// <c>KTIZO_</c> prefix) and the flag <c>--github-api-base-url</c>.
/// </summary>
/// <param name="Key">The configuration key: a property of <paramref name="Options"/>, under its section if it has one.</param>
/// <param name="Options">The options class the key binds to.</param>
/// <param name="Default">The default as the documentation and <c>--help</c> show it.</param>
/// <param name="Meaning">One line for <c>--help</c>.</param>
public sealed record Setting(string Key, Type Options, string Default, string Meaning)
{
    public const string EnvironmentPrefix = "KTIZO_";

    public string Property => Key[(Key.LastIndexOf(':') + 1)..];

    public string? Section => Key.Contains(':', StringComparison.Ordinal) ? Key[..Key.LastIndexOf(':')] : null;

    public Type Type => Options.GetProperty(Property, BindingFlags.Public | BindingFlags.Instance)?.PropertyType
        ?? throw new InvalidOperationException($"{Options.Name} has no property {Property}");

    public string EnvironmentVariable => EnvironmentPrefix + Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>Sections lower-cased, the property in kebab-case, joined by '-': <c>--github-api-base-url</c>.</summary>
    public string Flag => "--" + string.Concat((Section is null ? string.Empty : Section.Replace(':', '-').ToLowerInvariant() + "-"), Kebab(Property));

    /// <summary>How an error names it: every place it can be set.</summary>
    public string Names => $"{Key} ({Flag}, {EnvironmentVariable})";

    private static string Kebab(string pascal)
    {
        var builder = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
