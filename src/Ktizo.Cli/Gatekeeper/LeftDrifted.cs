using System.Text;
using Ktizo.Core;
using Ktizo.Core.Rendering;

namespace Ktizo.Cli.Gatekeeper;

/// <summary>
/// For <c>ktizo diff --gatekeeper</c> (the validate workflow's comment): the machines already installed (they downloaded a
/// config at least once, as the gatekeeper's API says) whose render the change alters, so that once merged they run a
/// config git no longer renders until someone applies it (docs/drift.md).
/// </summary>
public static class LeftDrifted
{
    /// <summary>One installed machine the change alters; <paramref name="StateNow"/> is its drift before the merge.</summary>
    public sealed record Machine(MacAddress Mac, string Hostname, string StateNow);

    public static async Task<IReadOnlyList<Machine>> FindAsync(CliConsole console, Uri gatekeeper, IReadOnlyList<DeviceChange> changes, CancellationToken cancellationToken)
    {
        var changed = changes.Where(c => c.Kind == ChangeKind.Changed).ToDictionary(c => c.Mac);
        if (changed.Count == 0)
        {
            return [];
        }

        using var api = new GatekeeperApi(gatekeeper, GatekeeperApi.Token(console, GatekeeperApi.ReadingTokens));
        var machines = new List<Machine>();
        foreach (var device in await api.DevicesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (MacAddress.TryParse(device.GetProperty("mac").GetString(), out var mac)
                && changed.TryGetValue(mac, out var change)
                && device.TryGetProperty("drift", out var drift)
                && drift.GetProperty("state").GetString() is { } state && state != "never_downloaded")
            {
                machines.Add(new Machine(mac, change.Hostname, state.Replace('_', ' ')));
            }
        }

        return machines.OrderBy(m => m.Hostname, StringComparer.Ordinal).ToList();
    }

    public static string Markdown(IReadOnlyList<Machine> machines)
    {
        var text = new StringBuilder("\n### Installed machines this leaves drifted\n\n")
            .Append("Once merged, these machines, already installed, run a config git no longer renders until it is applied to them ")
            .Append("(`ktizo drift` shows the commands; docs/drift.md):\n\n| machine | MAC | drift now |\n|---|---|---|\n");
        foreach (var machine in machines)
        {
            text.Append("| ").Append(machine.Hostname).Append(" | `").Append(machine.Mac).Append("` | ").Append(machine.StateNow).Append(" |\n");
        }

        return text.ToString();
    }
}
