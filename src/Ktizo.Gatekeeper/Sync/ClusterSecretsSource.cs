using Ktizo.Core;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Generation;
using Ktizo.Gatekeeper.Settings;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// Where the gatekeeper's secrets bundle comes from (docs/secrets.md): the <c>SecretsFile</c> setting, a file outside
/// git; or, without it, <c>secrets.yaml</c> in the data folder, generated (0600) on first start and kept. The file
/// is looked at on every render: a changed one (size, time or content) is read again and every device renders
/// again with it. A file that cannot be used is an error naming the file; the last good set stays served.
/// A file that its group or others can read is refused: a bundle holds every key of the cluster. With an age
/// identity, the bundle comes encrypted from each commit instead (ClusterSecretsSource.Age.cs).
/// </summary>
public sealed partial class ClusterSecretsSource(GatekeeperOptions options, ILogger<ClusterSecretsSource> logger)
{
    private readonly Lock _lock = new();
    private (DateTime Time, long Length, SecretsBundle Bundle)? _loaded;

    /// <summary>The file in use.</summary>
    public string Path => FromGit ? options.SecretsAgeFile : options.SecretsFile ?? System.IO.Path.Combine(options.DataFolder, "secrets.yaml");

    /// <summary>True when the bundle is the gatekeeper's own, generated in its data folder.</summary>
    public bool Generated => options.SecretsFile is null && !FromGit;

    /// <summary>The fingerprint of the bundle last read, or null before one was read.</summary>
    public string? Fingerprint
    {
        get
        {
            lock (_lock)
            {
                return (FromGit ? _fromGit?.Bundle : _loaded?.Bundle)?.Fingerprint;
            }
        }
    }

    /// <summary>The bundle as the file holds it now; a <see cref="KtizoException"/> naming the file when it cannot be used.</summary>
    public SecretsBundle Current()
    {
        lock (_lock)
        {
            var path = Path;
            if (Generated && !File.Exists(path))
            {
                GenerateInto(path);
            }

            FileInfo info;
            try
            {
                info = new FileInfo(path);
                if (!info.Exists)
                {
                    throw new KtizoException($"the secrets bundle {path} does not exist (SecretsFile; docs/secrets.md)");
                }

                RefuseShared(info, $"the secrets bundle {path}");

                if (_loaded is { } loaded && loaded.Time == info.LastWriteTimeUtc && loaded.Length == info.Length)
                {
                    return loaded.Bundle;
                }

                var bundle = SecretsBundleReader.ReadOrThrow(File.ReadAllText(path), path);
                if (_loaded?.Bundle.Fingerprint != bundle.Fingerprint)
                {
                    Log.BundleLoaded(logger, path, bundle.Fingerprint);
                }

                _loaded = (info.LastWriteTimeUtc, info.Length, bundle);
                return bundle;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KtizoException($"the secrets bundle {path} cannot be read: {e.GetType().Name}");
            }
        }
    }

    private void GenerateInto(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var bundle = BundleGenerator.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(new FileStream(path, options)))
        {
            writer.Write(SecretsBundleWriter.Write(bundle));
        }

        Log.BundleGenerated(logger, path, bundle.Fingerprint);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "No SecretsFile set: generated a new secrets bundle in {Path} (fingerprint {Fingerprint}); every gatekeeper of this cluster must use this same bundle (docs/secrets.md)")]
        public static partial void BundleGenerated(ILogger logger, string path, string fingerprint);

        [LoggerMessage(Level = LogLevel.Information, Message = "Secrets bundle {Path} loaded (fingerprint {Fingerprint})")]
        public static partial void BundleLoaded(ILogger logger, string path, string fingerprint);
    }
}
