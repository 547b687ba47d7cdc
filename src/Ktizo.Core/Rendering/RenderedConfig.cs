using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rendering;

/// <summary>
/// The exact bytes one approved device receives, with their SHA-256 (the HTTP ETag) and the key of
/// the inputs they were rendered from, so an unchanged device is not rendered again.
/// </summary>
public sealed class RenderedConfig
{
    public RenderedConfig(Device device, byte[] yaml, string sha256, string inputKey)
        : this(device, [yaml], sha256, inputKey)
    {
    }

    /// <param name="pieces">The bytes in pieces, some shared with other configs (<see cref="SharedPieces"/>).</param>
    public RenderedConfig(Device device, byte[][] pieces, string sha256, string inputKey)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        Device = device;
        Pieces = pieces;
        Length = pieces.Sum(p => p.Length);
        Sha256 = sha256;
        InputKey = inputKey;
    }

    public Device Device { get; }

    public MacAddress Mac => Device.Mac;

    /// <summary>UTF-8 YAML, multi-document, LF line ends, joined from <see cref="Pieces"/> (a new array unless there is one piece). Never mutate.</summary>
    public byte[] Yaml => SharedPieces.Join(Pieces);

    /// <summary><see cref="Yaml"/> in order, for writing without joining. Pieces are shared: never mutate.</summary>
    public byte[][] Pieces { get; }

    /// <summary>The length of <see cref="Yaml"/> in bytes.</summary>
    public int Length { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Yaml"/>.</summary>
    public string Sha256 { get; }

    public string InputKey { get; }

    /// <summary>This config with its bytes held as <paramref name="pieces"/> (the same bytes).</summary>
    public RenderedConfig WithPieces(byte[][] pieces) => new(Device, pieces, Sha256, InputKey);
}
