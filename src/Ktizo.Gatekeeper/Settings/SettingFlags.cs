using System.CommandLine;
using Ktizo.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Settings as System.CommandLine options: one <c>--flag VALUE</c> per setting, its help naming the default and
/// the environment variable, and each renamed flag a parse error naming the new one. Values go into
/// configuration as one more source, above the environment, so the one validator checks them with the rest.
/// </summary>
public static class SettingFlags
{
    /// <summary>Adds an option per setting (and a hidden one per renamed flag of those settings) to <paramref name="command"/>.</summary>
    public static void AddTo(Command command, IReadOnlyList<Setting> settings)
    {
        foreach (var setting in settings)
        {
            // Repeatable, one value each time, the last wins: a wrapper script's default can be overridden.
            command.Options.Add(new Option<string[]>(setting.Flag)
            {
                AllowMultipleArgumentsPerToken = false,
                Description = $"{setting.Meaning} [default: {setting.Default}] [env: {setting.EnvironmentVariable}]",
                HelpName = HelpName(setting),
            });
        }

        foreach (var (old, key) in RenamedSpellings.Flags)
        {
            if (settings.FirstOrDefault(s => s.Key == key) is { } setting)
            {
                command.Options.Add(new Option<string>(old)
                {
                    Hidden = true,
                    Validators = { result => result.AddError(RenamedSpellings.FlagMessage(old, setting)) },
                });
            }
        }
    }

    /// <summary>The settings given as flags, as configuration keys (a flag given twice: the last wins).</summary>
    public static Dictionary<string, string?> Values(ParseResult parse, IReadOnlyList<Setting> settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var options = parse.CommandResult.Command.Options;
        foreach (var setting in settings)
        {
            if (options.FirstOrDefault(o => o.Name == setting.Flag) is { } option
                && parse.GetResult(option) is { Tokens.Count: > 0 } result)
            {
                values[setting.Key] = result.Tokens[^1].Value;
            }
        }

        return values;
    }

    /// <summary>Parses gatekeeper arguments on their own (running the project directly); a parse error is a <see cref="KtizoException"/>.</summary>
    public static Dictionary<string, string?> Parse(string[] args, IReadOnlyList<Setting> settings)
    {
        var command = new RootCommand("Ktizo gatekeeper");
        AddTo(command, settings);
        var parse = command.Parse(args);
        SettingsValidator.ThrowIfAny([.. parse.Errors.Select(e => e.Message)], "The gatekeeper cannot start; fix these arguments:");
        return Values(parse, settings);
    }

    /// <summary>
    /// The settings' own sources over what <paramref name="builder"/> holds (appsettings.json): <c>KTIZO_…</c>
    /// variables by Microsoft.Extensions.Configuration's convention, then the flags. Precedence: flags, environment,
    /// appsettings.json, defaults.
    /// </summary>
    public static IConfigurationBuilder AddKtizoSettings(this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?> flags)
    {
        // One spelling per setting: the host's own environment sources (unprefixed, ASPNETCORE_, DOTNET_) would let
        // a stray BRANCH or ASPNETCORE_URLS set a setting unnoticed. The host has read its own values already.
        foreach (var source in builder.Sources.OfType<EnvironmentVariablesConfigurationSource>().ToList())
        {
            builder.Sources.Remove(source);
        }

        return builder.AddEnvironmentVariables(Setting.EnvironmentPrefix).AddInMemoryCollection(flags);
    }

    private static string HelpName(Setting setting) =>
        (Nullable.GetUnderlyingType(setting.Type) ?? setting.Type).Name switch
        {
            "Duration" => "duration",
            "Int32" => "number",
            "Uri" => "url",
            _ => "value",
        };
}
