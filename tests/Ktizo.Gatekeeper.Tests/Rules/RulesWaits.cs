using Ktizo.Gatekeeper.Rules;
using Ktizo.Gatekeeper.Tests.Support;

namespace Ktizo.Gatekeeper.Tests.Rules;

/// <summary>Waiting on the rules worker and on what it makes, for the rules tests.</summary>
internal static class RulesWaits
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<T> ForAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"waited {Timeout.TotalSeconds} s for {what}");
    }

    public static async Task ForAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Timeout.TotalSeconds} s for {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The rules file of these tests: rule <c>rack-a</c> for MACs 52:54:00:77:…, hostnames auto-NN, addresses from 10.0.5.100.</summary>
    public static string RackA(string action, int maxPerHour = 10, bool labels = false) =>
        "rules:\n  - name: rack-a\n    match:\n      macPrefix: 52:54:00:77\n"
        + $"    action: {action}\n    role: worker\n    hostname: auto-{{n:02}}\n"
        + "    pool:\n      subnet: 10.0.5.0/24\n      range: 10.0.5.100-10.0.5.120\n"
        + $"    maxPerHour: {maxPerHour}\n"
        + (labels ? "    labels:\n      topology.kubernetes.io/zone: rack-a\n" : string.Empty);

    /// <summary>Waits for <paramref name="count"/> more complete passes of the rules worker, waking it as further first sightings would.</summary>
    public static Task PassesAsync(GatekeeperHost host, int count)
    {
        var worker = host.Get<RulesWorker>();
        var signal = host.Get<RuleSignal>();
        var target = worker.Passes + count;
        return ForAsync(
            () =>
            {
                signal.Notify();
                return worker.Passes >= target ? "done" : null;
            },
            $"{count} rules passes");
    }
}
