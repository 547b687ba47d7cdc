using Ktizo.Core.Rendering;

namespace Ktizo.Gatekeeper.Sync;

/// <summary>
/// When the gatekeeper collects garbage itself. The previous rendered set is garbage once a new one is swapped in,
/// but it lived long enough to reach gen 2, where the GC lets garbage pile up, and a full render (start-up, a
/// template change) leaves the heap grown; RSS climbed with every sync (docs/benchmarks.md, item 7). So one
/// blocking collection runs after a swap, outside the method that still referenced the previous set, and after the
/// approvals worker's history walk once things are quiet (item 12). A full collection of a large live set is too
/// costly for every one-device commit, so after a small render it runs only once the heap has grown by a quarter
/// since the last one. Once quiet it always runs: that is once per burst of pushes, and the garbage a burst
/// leaves below the quarter (since the schema check, ~20 MB of committed heap) was read as RSS until the next
/// commit (docs/benchmarks.md, item 5). The sync loop and the approvals worker share it; it delays only them,
/// never a swap.
/// </summary>
internal sealed class SwapMemoryPolicy
{
    private readonly Lock _lock = new();

    // Managed heap size right after the last collection.
    private long _heapAfterCollection;

    // What the last swap's render was: null when nothing was swapped since the last AfterSwap. Sync loop only.
    private RenderStats? _swappedRender;

    /// <summary>Called by the render-and-swap step with what the swapped-in render did.</summary>
    public void Swapped(RenderStats render) => _swappedRender = render;

    /// <summary>After a sync round: collects if that round swapped (aggressively, decommitting, after a large render).</summary>
    public void AfterSwap()
    {
        if (_swappedRender is not { } render)
        {
            return;
        }

        _swappedRender = null;
        Collect(always: render.Rendered > render.Reused);
    }

    /// <summary>After the approvals worker's history walk, once no swap followed for a while: whatever the heap's growth.</summary>
    public void AfterHistoryWalk() => Collect(always: true);

    private void Collect(bool always)
    {
        lock (_lock)
        {
            if (always)
            {
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else if (GC.GetTotalMemory(forceFullCollection: false) > _heapAfterCollection + (_heapAfterCollection / 4))
            {
                // Aggressive: a forced compaction alone left the freed regions committed (docs/benchmarks.md, item 7).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            else
            {
                return;
            }

            _heapAfterCollection = GC.GetTotalMemory(forceFullCollection: false);
            NativeMethods.TrimNativeHeap();
        }
    }
}
