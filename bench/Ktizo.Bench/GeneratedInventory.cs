using System.Text;
using Ktizo.Core.Files;

namespace Ktizo.Bench;

/// <summary>
/// An inventory of N generated devices on the repository's own example templates: a quarter control plane,
/// the rest workers, all in 10.0.0.0/16, so every validation rule and every example patch runs.
/// </summary>
public static class GeneratedInventory
{
    public static InMemoryFileTree Create(int devices, string repositoryRoot)
    {
        var tree = new InMemoryFileTree("0000000000000000000000000000000000000000");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repositoryRoot, "templates"), "*", SearchOption.AllDirectories))
        {
            tree.Add(Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/'), File.ReadAllBytes(file));
        }

        tree.Add("inventory/cluster.yaml", """
            name: bench
            endpoint: https://10.0.0.10:6443
            talosVersion: v1.13.9
            defaults:
              gateway: 10.0.0.1
              nameservers: [10.0.0.1]
              installDisk: /dev/sda
            """);
        for (var i = 0; i < devices; i++)
        {
            tree.Add($"inventory/devices/node-{i:D5}.yaml", Device(i, 0));
        }

        return tree;
    }

    /// <summary>A device file; a different <paramref name="revision"/> changes its address, as a small edit would.</summary>
    public static string Device(int i, int revision)
    {
        var host = i + 20 + revision;
        var sb = new StringBuilder()
            .Append("mac: 52:54:00:").Append(((i >> 16) & 0xFF).ToString("x2")).Append(':').Append(((i >> 8) & 0xFF).ToString("x2")).Append(':').Append((i & 0xFF).ToString("x2")).Append('\n')
            .Append("hostname: node-").Append(i.ToString("D5")).Append('\n')
            .Append("role: ").Append(i % 4 == 0 ? "controlplane" : "worker").Append('\n')
            .Append("ip: 10.0.").Append(host >> 8).Append('.').Append(host & 0xFF).Append("/16\n")
            .Append("labels:\n  topology.kubernetes.io/zone: rack-").Append(i % 8).Append('\n');
        return sb.ToString();
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ktizo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmarks from a checkout of the repository");
    }
}
