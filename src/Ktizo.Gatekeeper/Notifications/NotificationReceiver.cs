using System.Security.Cryptography;
using System.Text;
using Ktizo.Core;
using Ktizo.Core.Notifications;

namespace Ktizo.Gatekeeper.Notifications;

/// <summary>
/// A configured receiver as the gatekeeper uses it: its secret read, its events parsed. <see cref="Key"/> names its
/// queue in the store (a hash of the URL, which may carry a token, as Slack's do); <see cref="Label"/> names it in
/// logs and metrics (its position and host, never the path).
/// </summary>
public sealed class NotificationReceiver
{
    private readonly HashSet<string> _events;

    private NotificationReceiver(int index, Uri url, byte[]? secret, IReadOnlyList<string> events, string format)
    {
        Index = index;
        Url = url;
        Secret = secret;
        _events = [.. events];
        Format = format;
        Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..32];
        Label = $"{index} ({url.Host})";
    }

    public int Index { get; }

    public Uri Url { get; }

    /// <summary>Null: deliveries go unsigned (allowed for <c>format: slack</c> only).</summary>
    public byte[]? Secret { get; }

    public string Format { get; }

    public string Key { get; }

    public string Label { get; }

    public bool Wants(string type) => _events.Contains(NotificationTypes.FilterOf(type));

    /// <summary>The receivers of <paramref name="options"/>; call only once <see cref="Problems"/> found none.</summary>
    public static IReadOnlyList<NotificationReceiver> From(IReadOnlyList<NotificationReceiverOptions> options, Func<string, string?> environment) =>
        [.. options.Select((o, i) => new NotificationReceiver(i, new Uri(o.Url!), ReadSecret(o, environment), o.EventList, o.Format.Trim().ToLowerInvariant()))];

    /// <summary>Every problem of the receivers, each naming its setting (<c>Notifications:0:Url (KTIZO_NOTIFICATIONS__0__URL)</c>).</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<NotificationReceiverOptions> options, Func<string, string?> environment)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Count; i++)
        {
            var o = options[i];
            void Bad(string property, string problem) =>
                errors.Add($"{NotificationReceiverOptions.Section}:{i}:{property} (KTIZO_{NotificationReceiverOptions.Section.ToUpperInvariant()}__{i}__{property.ToUpperInvariant()}): {problem}");

            if (string.IsNullOrWhiteSpace(o.Url))
            {
                Bad("Url", "not set: every receiver needs an absolute http(s) URL");
            }
            else if (!(Uri.TryCreate(o.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && string.IsNullOrEmpty(url.Fragment) && url.UserInfo.Length == 0))
            {
                // The value is not repeated: a webhook URL may carry its token.
                Bad("Url", "not an absolute http or https URL (without user info or fragment)");
            }

            var format = o.Format.Trim().ToLowerInvariant();
            if (!NotificationPayload.Formats.Contains(format))
            {
                Bad("Format", $"'{o.Format}' is not one of {string.Join(", ", NotificationPayload.Formats)}");
            }

            foreach (var type in o.EventList.Where(t => !NotificationTypes.Subscribable.Contains(t)))
            {
                Bad("Events", $"'{type}' is not an event (known: {string.Join(", ", NotificationTypes.Subscribable)})");
            }

            try
            {
                if (ReadSecret(o, environment) is null && format == NotificationPayload.Json)
                {
                    Bad("SecretFile", "no secret: a json receiver needs SecretFile or SecretEnvironmentVariable to verify what it gets");
                }
            }
            catch (KtizoException e)
            {
                Bad(string.IsNullOrWhiteSpace(o.SecretFile) ? "SecretEnvironmentVariable" : "SecretFile", e.Message);
            }
        }

        return errors;
    }

    /// <summary>The secret from the file, else the variable; null when neither is named. Errors name the place, never the value.</summary>
    private static byte[]? ReadSecret(NotificationReceiverOptions options, Func<string, string?> environment)
    {
        string? secret;
        if (!string.IsNullOrWhiteSpace(options.SecretFile))
        {
            try
            {
                secret = File.ReadAllText(options.SecretFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KtizoException($"the secret file '{options.SecretFile}' cannot be read: {e.GetType().Name}");
            }

            if (secret.Length == 0)
            {
                throw new KtizoException($"the secret file '{options.SecretFile}' is empty");
            }
        }
        else if (!string.IsNullOrWhiteSpace(options.SecretEnvironmentVariable))
        {
            secret = environment(options.SecretEnvironmentVariable.Trim())?.Trim();
            if (string.IsNullOrEmpty(secret))
            {
                throw new KtizoException($"the environment variable {options.SecretEnvironmentVariable.Trim()} is not set");
            }
        }
        else
        {
            return null;
        }

        return secret.Length < 16 ? throw new KtizoException("the secret is shorter than 16 characters") : Encoding.UTF8.GetBytes(secret);
    }
}
