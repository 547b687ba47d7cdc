using System.ComponentModel;
using System.Globalization;

namespace Ktizo.Core.Settings;

/// <summary>
/// A length of time as people write it in settings: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>30d</c> or
/// <c>hh:mm:ss</c>. Settings bind to it (through its converter) and code reads it as a <see cref="TimeSpan"/>;
/// the conversion back is explicit so that a TimeSpan and a Duration never compete in one expression.
/// </summary>
[TypeConverter(typeof(DurationConverter))]
public readonly record struct Duration(TimeSpan Value)
{
    public const string Examples = "500ms, 30s, 5m, 1h, 00:00:30";

    public static Duration Zero => default;

    public static Duration FromMilliseconds(double milliseconds) => new(TimeSpan.FromMilliseconds(milliseconds));

    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    public static Duration FromMinutes(double minutes) => new(TimeSpan.FromMinutes(minutes));

    public static Duration FromDays(double days) => new(TimeSpan.FromDays(days));

    public static implicit operator TimeSpan(Duration duration) => duration.Value;

    public static explicit operator Duration(TimeSpan value) => new(value);

    /// <summary>Reads a duration; negative ones are refused.</summary>
    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                duration = FromSeconds(amount * seconds);
                return true;
            }
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero)
        {
            duration = new Duration(value);
            return true;
        }

        return false;
    }

    public static Duration Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration (examples: {Examples})");

    /// <summary>The shortest of the written forms that says exactly this value (<c>30s</c>, <c>2m</c>, <c>500ms</c>).</summary>
    public override string ToString()
    {
        var ms = Value.TotalMilliseconds;
        return ms switch
        {
            0 => "0s",
            _ when ms % 86_400_000 == 0 => FormattableString.Invariant($"{ms / 86_400_000}d"),
            _ when ms % 3_600_000 == 0 => FormattableString.Invariant($"{ms / 3_600_000}h"),
            _ when ms % 60_000 == 0 => FormattableString.Invariant($"{ms / 60_000}m"),
            _ when ms % 1000 == 0 => FormattableString.Invariant($"{ms / 1000}s"),
            _ when ms == Math.Floor(ms) => FormattableString.Invariant($"{ms}ms"),
            _ => Value.ToString("c", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>Lets configuration binding read <see cref="Duration"/> from text; a bad value throws <see cref="FormatException"/>.</summary>
public sealed class DurationConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Duration.Parse(text) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is Duration duration ? duration.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
