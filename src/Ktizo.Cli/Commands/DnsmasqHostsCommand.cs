using System.CommandLine;
using System.Text;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core.Boot;
using Ktizo.Core.Rendering;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo dnsmasq-hosts [--out FILE]</c>: one dnsmasq <c>dhcp-host</c> reservation per approved device
/// (MAC, address, hostname), so the address DHCP hands out is the one the device's Talos config sets.
/// dnsmasq reads the file through <c>dhcp-hostsfile=</c> and rereads it on SIGHUP. The repository must
/// be valid as a whole, as for <c>render</c>: DHCP never runs ahead of the configs the gatekeeper serves.
/// </summary>
public static class DnsmasqHostsCommand
{
    public static Command Create(CliConsole console)
    {
        var repo = CommonOptions.Repo();
        var rev = CommonOptions.Rev();
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Write here (replaced in one step; left alone when unchanged) instead of to standard output",
        };
        var command = new Command("dnsmasq-hosts", "Write dnsmasq dhcp-host reservations for the approved devices") { repo, rev, output };
        command.SetAction(parse => CommandErrors.Run(console, () =>
        {
            using var source = TreeSource.Open(parse.GetValue(repo)!, parse.GetValue(rev));
            var result = Renderer.Render(source.Tree);
            if (!result.IsValid)
            {
                DiagnosticPrinter.Print(console, result.Errors, OutputFormat.Text);
                console.Error.WriteLine($"{result.Errors.Count} error(s); nothing written");
                return ExitCodes.Invalid;
            }

            var set = result.Set!;
            var text = DnsmasqHosts.Render(set.Approved.Values.Select(c => c.Device), set.Commit);
            var target = parse.GetValue(output);
            if (target is null)
            {
                console.Out.Write(text);
                return ExitCodes.Ok;
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            if (target.Exists && File.ReadAllBytes(target.FullName).AsSpan().SequenceEqual(bytes))
            {
                console.Out.WriteLine($"{target.FullName} is up to date ({set.Approved.Count} reservations)");
                return ExitCodes.Ok;
            }

            // dnsmasq may reread at any moment (SIGHUP): it must see the old file or the new one, never half.
            Directory.CreateDirectory(target.DirectoryName!);
            var staging = Path.Combine(target.DirectoryName!, $".{target.Name}.{Guid.NewGuid():N}.tmp");
            try
            {
                File.WriteAllBytes(staging, bytes);
                File.Move(staging, target.FullName, overwrite: true);
            }
            finally
            {
                File.Delete(staging);
            }

            console.Out.WriteLine($"wrote {set.Approved.Count} reservations to {target.FullName}; send dnsmasq SIGHUP to load them");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
