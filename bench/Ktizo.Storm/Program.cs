using Ktizo.Storm;

// bench/run-all.sh's boot storm (issue 6, item 4); bench/README.md says how the pieces fit.
//   standin [--unlimited]                          GitHub stand-in on 127.0.0.1, plus /stats for the census
//   storm URL COUNT SECONDS RUN                    COUNT distinct unknown MACs, evenly over SECONDS, one request each
//   floor PORT APPROVED_MAC FILE                   bare Kestrel answering fixed bytes: FILE for APPROVED_MAC, else 403
//   pace COUNT [--issues-per-minute N] [--max-open N]
//                                                  COUNT machines at once through the GitHub worker against the stand-in's
//                                                  model of GitHub's limits, on a 50x clock (item 4's issue-creation figures)
return args switch
{
    ["standin", .. var rest] => await StandInHost.RunAsync(rest.Contains("--unlimited")),
    ["storm", var url, var count, var seconds, var run] => await StormClient.RunAsync(new Uri(url), int.Parse(count), double.Parse(seconds), int.Parse(run)),
    ["floor", var port, var mac, var file] => await KestrelFloor.RunAsync(int.Parse(port), mac, file),
    ["pace", var count, .. var flags] when PaceFlagsKnown(flags) => await Pace(int.Parse(count), Flag(flags, "--issues-per-minute"), Flag(flags, "--max-open")),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Ktizo.Storm standin [--unlimited] | storm GATEKEEPER_URL COUNT SECONDS RUN | floor PORT APPROVED_MAC FILE | pace COUNT [--issues-per-minute N] [--max-open N]");
    return 2;
}

// 50x: a minute of GitHub time is 1.2 s real, long against a request's few milliseconds even on a loaded machine.
static async Task<int> Pace(int count, int? issuesPerMinute, int? maxOpen)
{
    var result = await PaceRun.RunAsync(count, factor: 50, issuesPerMinute, maxOpen, realTimeout: TimeSpan.FromMinutes(5), Console.Error);
    Console.WriteLine(result);
    return result.AllThere is null || result.Census.Duplicates > 0 ? 1 : 0;
}

static bool PaceFlagsKnown(string[] flags) =>
    flags.Length % 2 == 0 && flags.Where((_, i) => i % 2 == 0).All(f => f is "--issues-per-minute" or "--max-open");

static int? Flag(string[] flags, string name)
{
    for (var i = 0; i + 1 < flags.Length; i += 2)
    {
        if (flags[i] == name)
        {
            return int.Parse(flags[i + 1], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    return null;
}
