using Ktizo.Core.Inventory;

namespace Ktizo.Core.Rendering;

/// <summary>
/// The exact bytes one approved device receives, with their SHA-256 (the HTTP ETag) and the key of
/// the inputs they were rendered from, so an unchanged device is not rendered again.
/// </summary>
public sealed class RenderedConfig
{
    public RenderedConfig(Device device, byte[] yaml, string sha256, string inputKey)
    {
        Device = device;
        Yaml = yaml;
        Sha256 = sha256;
        InputKey = inputKey;
    }

    public Device Device { get; }

    public MacAddress Mac => Device.Mac;

    /// <summary>UTF-8 YAML, multi-document, LF line ends. Never mutate.</summary>
    public byte[] Yaml { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Yaml"/>.</summary>
    public string Sha256 { get; }

    public string InputKey { get; }
}
