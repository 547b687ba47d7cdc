using System.Text;
using Ktizo.Core;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Core.Files;
using Ktizo.Crypto.Age;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// The bundle in git, age-encrypted (<c>AgeIdentityFile</c>, <c>SecretsAgeFile</c>; docs/secrets.md): read from the
/// commit being rendered and decrypted in memory, never written to disk. A commit whose file is missing, corrupt,
/// or not encrypted to this gatekeeper's identity fails to render with an error naming the file; the last good
/// set stays served. Decrypted once per blob: an unchanged file in a new commit is not decrypted again.
/// </summary>
public sealed partial class ClusterSecretsSource
{
    private (string BlobId, SecretsBundle Bundle)? _fromGit;

    /// <summary>True when the bundle comes age-encrypted from each commit.</summary>
    public bool FromGit => options.AgeIdentityFile is not null;

    /// <summary>The bundle for rendering <paramref name="tree"/>: from the commit with an age identity, else from <see cref="Current()"/>.</summary>
    public SecretsBundle Current(IFileTree tree)
    {
        if (options.AgeIdentityFile is not { } identityFile)
        {
            return Current();
        }

        lock (_lock)
        {
            var where = tree.Commit is { } commit ? $"{options.SecretsAgeFile} in commit {commit[..Math.Min(12, commit.Length)]}" : options.SecretsAgeFile;
            var file = tree.Read(options.SecretsAgeFile)
                ?? throw new KtizoException($"the age-encrypted secrets bundle {where} does not exist (AgeIdentityFile is set; docs/secrets.md)");
            if (_fromGit is { } cached && cached.BlobId == file.Id)
            {
                return cached.Bundle;
            }

            var identities = ReadIdentities(identityFile);
            var plaintext = AgeFile.Decrypt(file.Content.ToArray(), identities, where);
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(plaintext);
            }
            catch (DecoderFallbackException)
            {
                throw new KtizoException($"{where}: the decrypted bundle is not UTF-8 text");
            }

            var bundle = SecretsBundleReader.ReadOrThrow(text, where);
            if (_fromGit?.Bundle.Fingerprint != bundle.Fingerprint)
            {
                Log.BundleLoaded(logger, where, bundle.Fingerprint);
            }

            _fromGit = (file.Id, bundle);
            return bundle;
        }
    }

    private static IReadOnlyList<AgeIdentity> ReadIdentities(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new KtizoException($"the age identity file {path} does not exist (AgeIdentityFile)");
            }

            RefuseShared(info, $"the age identity file {path}");
            if (info.Length > AgeIdentity.MaxFileBytes)
            {
                throw new KtizoException($"the age identity file {path} is over {AgeIdentity.MaxFileBytes / 1024} KiB: not an identity file");
            }

            return AgeIdentity.ParseFile(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KtizoException($"the age identity file {path} cannot be read: {e.GetType().Name}");
        }
    }

    /// <summary>A file of keys that its group or others can read or write is refused: it would not stay secret.</summary>
    private static void RefuseShared(FileInfo info, string what)
    {
        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new KtizoException($"{what} can be read or written by its group or others: make it 0600 (or 0400), owned by the gatekeeper's user");
        }
    }
}
