using System.Collections.Concurrent;
using System.Net;
using Ktizo.Core;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Observability;

/// <summary>
/// One log line per change in what a MAC is told, not per answer: a machine retrying with the same
/// answer (pending, again) is summarised as one line per <see cref="Interval"/> with a count, while a
/// first answer, a different answer (approved at last, a new commit's config) and a different result
/// each get their own line. A storm of retries wrote 2.4 M lines in 30 s before. A repeat costs one
/// lock-free dictionary lookup and an interlocked increment; nothing is allocated after a MAC's first answer.
/// </summary>
internal sealed class ConfigAnswerLog(ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Past this many MACs (an invented-MAC flood) the memory is dropped: lines are then written as first answers.
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<MacAddress, LastAnswer> _last = new();

    public void Answered(string result, MacAddress mac, IPAddress? address, string? commit)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var now = Environment.TickCount64;
        if (!_last.TryGetValue(mac, out var last))
        {
            if (_last.Count >= MaxRemembered)
            {
                _last.Clear();
            }

            _last[mac] = new LastAnswer(result, commit, now);
            Log.ConfigAnswered(logger, result, mac, address, commit);
            return;
        }

        // The strings are the handler's constants and the snapshot's commit: reference equality is equality.
        if (ReferenceEquals(last.Result, result) && ReferenceEquals(last.Commit, commit))
        {
            Interlocked.Increment(ref last.Repeats);
            if (now - Volatile.Read(ref last.Since) >= (long)Interval.TotalMilliseconds)
            {
                Summarise(last, mac, now);
            }

            return;
        }

        Summarise(last, mac, now);
        _last[mac] = new LastAnswer(result, commit, now);
        Log.ConfigAnswered(logger, result, mac, address, commit);
    }

    private void Summarise(LastAnswer last, MacAddress mac, long now)
    {
        var repeats = Interlocked.Exchange(ref last.Repeats, 0);
        var since = Interlocked.Exchange(ref last.Since, now);
        if (repeats > 0)
        {
            Log.ConfigRepeated(logger, last.Result, mac, repeats, (now - since) / 1000, last.Commit);
        }
    }

    private sealed class LastAnswer(string result, string? commit, long since)
    {
        public readonly string Result = result;
        public readonly string? Commit = commit;
        public long Since = since;
        public int Repeats;
    }
}
