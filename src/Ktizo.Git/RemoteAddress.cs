using System.Text.RegularExpressions;

namespace Ktizo.Git;

/// <summary>
/// A remote as configured, split into what may be stored and logged (<see cref="Url"/>) and the secret
/// (<see cref="Token"/>). A password written into an https URL is moved out into the token, so neither the
/// clone's config nor a log line ever holds it.
/// </summary>
internal sealed partial class RemoteAddress
{
    private RemoteAddress(string url, string? token, RemoteKind kind)
    {
        Url = url;
        Token = string.IsNullOrEmpty(token) ? null : token;
        Kind = kind;
    }

    /// <summary>The URL without any secret: safe to store in the clone's config and to log.</summary>
    public string Url { get; }

    public string? Token { get; }

    public RemoteKind Kind { get; }

    public static RemoteAddress Parse(string remote, string? token)
    {
        if (string.IsNullOrWhiteSpace(remote))
        {
            throw new ArgumentException("The remote is empty.", nameof(remote));
        }

        if (remote.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(remote, UriKind.Absolute, out var uri))
            {
                throw new ArgumentException($"The remote '{Redact(remote)}' is not a valid URL.", nameof(remote));
            }

            var kind = uri.Scheme.ToLowerInvariant() switch
            {
                "http" or "https" => RemoteKind.Http,
                "ssh" or "ssh+git" or "git+ssh" => RemoteKind.Ssh,
                "file" => RemoteKind.Local,
                "git" => RemoteKind.Git,
                _ => throw new ArgumentException($"The remote scheme '{uri.Scheme}' is not supported (use https, ssh, file, git or a path).", nameof(remote)),
            };

            var userInfo = uri.UserInfo;
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return new RemoteAddress(remote, token, kind);
            }

            // https://user:secret@host/… : keep the user (it may matter to the server), move the secret out.
            var builder = new UriBuilder(uri) { Password = "" };
            var user = Uri.UnescapeDataString(userInfo[..colon]);
            var secret = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            builder.UserName = user;
            var clean = builder.Uri.AbsoluteUri;
            return new RemoteAddress(clean, token ?? secret, kind);
        }

        // git@github.com:org/repo.git — the scp-like form ssh remotes usually come in.
        if (ScpLike().IsMatch(remote))
        {
            return new RemoteAddress(remote, token, RemoteKind.Ssh);
        }

        // Anything else is a path; made absolute so the clone's config does not depend on the working directory.
        return new RemoteAddress(Path.GetFullPath(remote), token, RemoteKind.Local);
    }

    /// <summary>The folder a local remote (a path or a file:// URL) lives in; null for a network remote.</summary>
    public string? LocalFolder() =>
        Kind != RemoteKind.Local ? null
        : Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath
        : Url;

    /// <summary>Removes the token, raw or URL-encoded, from text that came back from libgit2 or a remote.</summary>
    public string Scrub(string text)
    {
        if (Token is null)
        {
            return text;
        }

        return text.Replace(Token, "***", StringComparison.Ordinal)
            .Replace(Uri.EscapeDataString(Token), "***", StringComparison.Ordinal);
    }

    public bool Contains(string? text) => Token is not null && text is not null && Scrub(text) != text;

    /// <summary>For error messages about a remote that failed to parse: hide whatever sits between "//" and "@".</summary>
    private static string Redact(string remote) => UserInfo().Replace(remote, "//***@");

    [GeneratedRegex(@"^(?:[^@/\s]+@)?[^@/\s:]+:[^\s]*$")]
    private static partial Regex ScpLike();

    [GeneratedRegex("//[^/@]*@")]
    private static partial Regex UserInfo();
}

internal enum RemoteKind
{
    Local,
    Http,
    Ssh,
    Git,
}
