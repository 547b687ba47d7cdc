using System.Diagnostics;
using System.Net;
using Ktizo.Core;
using Ktizo.Store;

namespace Ktizo.Bench;

/// <summary>
/// Issue 15, finding 5: what one invented MAC costs the store. Records <c>count</c> first sightings shaped like the
/// attack's (a Talos user agent, a uuid, one source address) into a fresh store, group-committed as a storm would be,
/// and prints the file's size (after the checkpoint at close) per MAC; then prunes them all and records as many new
/// ones, to show pruned space is reused. docs/benchmarks.md, §8.
/// </summary>
internal static class StoreGrowth
{
    public static async Task RunAsync(int count)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ktizo-store-growth-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "ktizo.db");
        try
        {
            var empty = await FillAsync(path, 0, 0);
            var clock = Stopwatch.StartNew();
            var full = await FillAsync(path, 0, count);
            var elapsed = clock.Elapsed;
            Console.WriteLine($"empty store: {empty:N0} bytes");
            Console.WriteLine($"{count:N0} fake MACs: {full:N0} bytes, {(full - empty) / (double)count:0} bytes per MAC, {(full - empty) * 100_000.0 / count / 1e6:0.0} MB per 100,000; recorded in {elapsed.TotalSeconds:0.0} s");

            using (var store = DeviceStore.Open(path))
            {
                var pruned = await store.PruneNeverApprovedAsync(DateTimeOffset.MaxValue, _ => false);
                Console.WriteLine($"pruned {pruned.Count:N0}");
            }

            var refilled = await FillAsync(path, count, count);
            Console.WriteLine($"after pruning them and recording {count:N0} new ones: {refilled:N0} bytes ({(refilled - full) / (double)count:0} bytes per new MAC): the freed pages were reused");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Records MACs number <paramref name="from"/> on, <paramref name="count"/> of them; returns the file's size after close.</summary>
    private static async Task<long> FillAsync(string path, int from, int count)
    {
        using (var store = DeviceStore.Open(path))
        {
            var address = IPAddress.Parse("10.9.0.1");
            for (var chunk = from; chunk < from + count; chunk += 10_000)
            {
                await Task.WhenAll(Enumerable.Range(chunk, Math.Min(10_000, from + count - chunk)).Select(i => store.RecordAsync(
                    MacAddress.Parse($"02:{i >> 24 & 0xff:x2}:{i >> 16 & 0xff:x2}:{i >> 8 & 0xff:x2}:{i & 0xff:x2}:00"),
                    ObservationKind.Request,
                    address,
                    "Talos/v1.12.0 (linux; amd64)",
                    $"4c4c4544-0000-4000-8000-{i:x12}")));
            }
        }

        var wal = path + "-wal";
        return new FileInfo(path).Length + (File.Exists(wal) ? new FileInfo(wal).Length : 0);
    }
}
