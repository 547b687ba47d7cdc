using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ktizo.Cli.Gatekeeper;
using Ktizo.Cli.Output;
using Ktizo.Cli.Sources;
using Ktizo.Core;
using Ktizo.Core.Rendering;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo drift [MAC…]</c>: the machines whose config git no longer renders, from a running gatekeeper's API (viewer or
/// admin token), each with the redacted diff and the <c>talosctl apply-config</c> commands that bring it in line
/// (docs/drift.md). <c>--write DIR</c> renders the files for them here, from the repository checkout and the operator's
/// secrets bundle, never from the API. Ktizo never runs talosctl.
/// </summary>
public static class DriftCommand
{
    public static Command Create(CliConsole console)
    {
        var macs = new Argument<string[]>("MAC") { Description = "Only these machines (default: every drifted one)", Arity = ArgumentArity.ZeroOrMore };
        var gatekeeper = GatekeeperApi.Option();
        var write = new Option<DirectoryInfo?>("--write") { Description = "Write the config each drifted machine should get into this folder (needs --secrets; files are readable by you only)" };
        var repo = CommonOptions.Repo();
        var secrets = ClusterSecrets.SecretsOptions.File();
        var format = CommonOptions.Format();
        var command = new Command(
            "drift",
            $"Show which machines run a config git no longer renders, the redacted diff and the talosctl commands to bring them in line (token from {GatekeeperApi.ViewerTokenVariable} or {GatekeeperApi.AdminTokenVariable})")
        {
            macs, gatekeeper, write, repo, secrets, format,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, () => RunAsync(
            console, parse.GetValue(macs) ?? [], parse.GetValue(gatekeeper), parse.GetValue(write), parse.GetValue(repo)!, parse.GetValue(secrets),
            parse.GetValue(format), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console, string[] only, string? gatekeeper, DirectoryInfo? write, string repo, FileInfo? secrets, OutputFormat format, CancellationToken cancellationToken)
    {
        if (write is not null && secrets is null)
        {
            throw new KtizoException("--write needs --secrets: a machine's config carries the cluster's secrets, and placeholders must never reach one");
        }

        var wanted = new HashSet<MacAddress>();
        foreach (var text in only)
        {
            wanted.Add(MacAddress.TryParse(text, out var mac) ? mac : throw new KtizoException($"'{text}' is not a MAC address"));
        }

        var token = GatekeeperApi.Token(console, GatekeeperApi.ReadingTokens);
        using var api = new GatekeeperApi(GatekeeperApi.Url(console, gatekeeper)!, token);
        var devices = await api.DevicesAsync(cancellationToken).ConfigureAwait(false);
        var states = devices.Where(d => d.TryGetProperty("drift", out _)).ToList();
        var drifted = states
            .Where(d => d.GetProperty("drift").GetProperty("state").GetString() == "drifted")
            .Where(d => wanted.Count == 0 || wanted.Contains(MacAddress.Parse(d.GetProperty("mac").GetString()!)))
            .ToList();

        var reports = new List<JsonElement>();
        foreach (var device in drifted)
        {
            var path = $"/api/v1/devices/{Uri.EscapeDataString(device.GetProperty("mac").GetString()!)}/drift";
            if (await api.GetJsonAsync(path, cancellationToken).ConfigureAwait(false) is { } report
                && report.GetProperty("drift").GetProperty("state").GetString() == "drifted")
            {
                reports.Add(report);
            }
        }

        var written = write is null || reports.Count == 0 ? new Dictionary<string, string>() : WriteFiles(reports, write, repo, secrets!);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(console, json =>
            {
                json.WriteString("gatekeeper", api.BaseUrl.ToString());
                json.WriteStartArray("drifted");
                foreach (var report in reports)
                {
                    json.WriteStartObject();
                    foreach (var property in report.EnumerateObject())
                    {
                        property.WriteTo(json);
                    }

                    json.WriteStartArray("commands");
                    foreach (var line in Commands(report, written))
                    {
                        json.WriteStringValue(line);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            });
            return ExitCodes.Ok;
        }

        await console.Out.WriteAsync(Text(reports, states, written, write is not null)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The apply commands: a dry run first, then the mode the change calls for.</summary>
    public static IReadOnlyList<string> Commands(JsonElement report, IReadOnlyDictionary<string, string> written)
    {
        var mac = MacAddress.Parse(report.GetProperty("mac").GetString()!);
        var node = report.TryGetProperty("node", out var n) ? n.GetString() : "<node address>";
        var file = written.GetValueOrDefault(mac.ToString()) ?? Path.Combine("<DIR>", Manifest.ConfigFileName(mac));
        var mode = report.TryGetProperty("apply_mode", out var m) ? m.GetString()! : "reboot";
        return
        [
            $"talosctl apply-config --nodes {node} --file {file} --dry-run",
            $"talosctl apply-config --nodes {node} --file {file} --mode={mode}",
        ];
    }

    private static string Text(IReadOnlyList<JsonElement> reports, IReadOnlyList<JsonElement> states, IReadOnlyDictionary<string, string> written, bool wrote)
    {
        var text = new StringBuilder();
        if (reports.Count == 0)
        {
            var counts = states.GroupBy(d => d.GetProperty("drift").GetProperty("state").GetString()!.Replace('_', ' '))
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            text.Append("No machine is drifted (").Append(string.Join(", ", counts.DefaultIfEmpty("no approved machine"))).Append(").\n");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"{reports.Count} machine(s) run a config git no longer renders. Ktizo never runs talosctl: review, then apply.\n");
        foreach (var report in reports)
        {
            var drift = report.GetProperty("drift");
            text.Append("\n## ").Append(report.TryGetProperty("hostname", out var h) ? h.GetString() : "?").Append(" (").Append(report.GetProperty("mac").GetString()).Append(")\n\n");
            text.Append("Drifted since ").Append(drift.TryGetProperty("since_commit", out var since) ? Short(since.GetString()) : "an unrecorded commit");
            if (drift.TryGetProperty("since_pull_request", out var pr))
            {
                text.Append(CultureInfo.InvariantCulture, $" (#{pr.GetInt32()}").Append(report.TryGetProperty("since_pull_request_url", out var url) ? $", {url.GetString()})" : ")");
            }

            text.Append("; it got ").Append(Short(drift.GetProperty("served_commit").GetString()))
                .Append(" at ").Append(drift.GetProperty("served_at").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture)).Append(".\n\n");
            if (report.TryGetProperty("diff", out var diff))
            {
                text.Append("```diff\n").Append(diff.GetString()).Append("```\n\n");
            }
            else if (report.TryGetProperty("diff_unavailable", out var why))
            {
                text.Append("No diff: ").Append(why.GetString()).Append(".\n\n");
            }

            text.Append("To bring it in line:\n\n");
            foreach (var line in Commands(report, written))
            {
                text.Append("    ").Append(line).Append('\n');
            }

            text.Append('\n').Append(ModeReason(report)).Append(" `--mode=auto` lets Talos decide instead.\n");
            if (!wrote)
            {
                text.Append("Write the file with `ktizo drift --write DIR --secrets BUNDLE` (rendered here, from this checkout).\n");
            }
        }

        return text.ToString();
    }

    private static string ModeReason(JsonElement report)
    {
        var reboot = Parts(report, "reboot_parts");
        var changed = Parts(report, "changed_parts");
        if (!report.TryGetProperty("apply_mode", out _))
        {
            return "`--mode=reboot`: what changed is not known, so the safe side.";
        }

        var rule = Text(report, "apply_rule") ?? "Talos";
        var note = Text(report, "apply_rule_note") is { } n ? $" Note: {n}" : string.Empty;
        return (reboot.Count > 0
            ? $"`--mode=reboot`: {rule} applies {string.Join(", ", reboot)} only with a reboot (docs/drift.md)."
            : $"`--mode=no-reboot`: {rule} applies {string.Join(", ", changed)} to a running machine (docs/drift.md).") + note;
    }

    private static string? Text(JsonElement report, string name) =>
        report.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> Parts(JsonElement report, string name) =>
        report.TryGetProperty(name, out var parts) ? parts.EnumerateArray().Select(p => p.GetString()!).ToList() : [];

    // One render of the gatekeeper's commit, from this checkout with the operator's bundle; a file is written only when
    // its bytes hash to what the gatekeeper serves, so what is applied is what git says and nothing else.
    private static Dictionary<string, string> WriteFiles(IReadOnlyList<JsonElement> reports, DirectoryInfo folder, string repo, FileInfo secrets)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var bundle = ClusterSecrets.SecretsOptions.Load(secrets);
        foreach (var group in reports.GroupBy(r => r.GetProperty("commit").GetString()!))
        {
            RenderResult result;
            using (var source = TreeSource.Open(repo, group.Key))
            {
                result = Renderer.Render(source.Tree, schemas: CommonOptions.Schemas(null), secrets: bundle);
            }

            if (!result.IsValid)
            {
                throw new KtizoException($"commit {Short(group.Key)} does not render here ({result.Errors.Count} errors, the first: {result.Errors[0]}); nothing written");
            }

            Directory.CreateDirectory(folder.FullName);
            foreach (var report in group)
            {
                var mac = MacAddress.Parse(report.GetProperty("mac").GetString()!);
                var expected = report.GetProperty("drift").GetProperty("current_hash").GetString();
                if (!result.Set!.Approved.TryGetValue(mac, out var config) || config.Sha256 != expected)
                {
                    throw new KtizoException(
                        $"the config rendered here for {mac} at {Short(group.Key)} is not the one the gatekeeper serves (hash {Short(config?.Sha256)}, it serves {Short(expected)}): "
                        + "--secrets is not the gatekeeper's bundle, or this ktizo differs from the gatekeeper's; nothing written for it");
                }

                var file = Path.Combine(folder.FullName, Manifest.ConfigFileName(mac));
                WritePrivate(file, config.Yaml);

                written[mac.ToString()] = file;
            }
        }

        return written;
    }

    // Readable by the operator only from its first byte: it holds the cluster's keys.
    private static void WritePrivate(string file, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (File.Exists(file))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        using var stream = new FileStream(file, options);
        stream.Write(bytes);
    }

    private static string Short(string? sha) => sha is null ? "?" : sha.Length > 12 ? sha[..12] : sha;
}
