namespace Ktizo.Core.Rendering;

/// <summary>
/// Runs the devices of a render on a fixed number of threads: the caller's and dedicated ones below normal
/// priority, never the thread pool, whose threads serve requests. Parallel.ForEach would take every core
/// and grow the pool while templates burn CPU (issue 15: downloads took 11–18 s during a hostile render).
/// </summary>
internal static class RenderWorkers
{
    /// <summary>Calls <paramref name="work"/> for each item until done or <paramref name="stop"/> is cancelled.</summary>
    /// <returns>The items never started, in order: empty unless stopped.</returns>
    public static List<int> Run(List<int> items, int parallelism, CancellationToken stop, Action<int> work)
    {
        var next = -1;
        Exception? failure = null;

        void Loop()
        {
            try
            {
                int k;
                while (!stop.IsCancellationRequested && Volatile.Read(ref failure) is null && (k = Interlocked.Increment(ref next)) < items.Count)
                {
                    work(items[k]);
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        }

        var extra = Math.Min(Math.Max(1, parallelism), items.Count) - 1;
        var threads = new Thread[Math.Max(0, extra)];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Loop) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "ktizo-render" };
            threads[t].Start();
        }

        Loop();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var started = Math.Min(Volatile.Read(ref next), items.Count);
        return items.Skip(Math.Max(0, started)).ToList();
    }
}
