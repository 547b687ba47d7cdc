namespace Ktizo.Core.Inventory;

/// <summary>
/// What one device file that read without an error resolved to, kept with the rendered set so the next
/// commit need not read or parse the file again. The outcome depends on the file's bytes (<see cref="FileId"/>),
/// the cluster defaults (<see cref="ClusterId"/>) and whether the patch files it names exist; nothing else.
/// </summary>
/// <param name="Approved">The device, when the file approves one.</param>
/// <param name="Rejected">The device, when the file rejects one.</param>
/// <param name="Patches">The patch paths the file names, which must still exist for this outcome to hold.</param>
public sealed record ParsedDeviceFile(
    string FileId,
    string ClusterId,
    DeviceSource Source,
    Device? Approved,
    RejectedDevice? Rejected,
    IReadOnlyList<string> Patches);

/// <summary>Every device file of a tree, read: the devices, where their values were written, and what can be reused.</summary>
public sealed record DeviceFiles(
    List<Device> Approved,
    List<RejectedDevice> Rejected,
    List<DeviceSource> Sources,
    Dictionary<string, ParsedDeviceFile> Parsed)
{
    public DeviceFiles()
        : this([], [], [], new Dictionary<string, ParsedDeviceFile>(StringComparer.Ordinal))
    {
    }

    internal void Add(string path, ParsedDeviceFile parsed)
    {
        Parsed[path] = parsed;
        Sources.Add(parsed.Source);
        if (parsed.Approved is not null)
        {
            Approved.Add(parsed.Approved);
        }
        else if (parsed.Rejected is not null)
        {
            Rejected.Add(parsed.Rejected);
        }
    }
}
