using Ktizo.Storm;

// bench/run-all.sh's boot storm (issue 6, item 4); bench/README.md says how the pieces fit.
//   standin [--unlimited]                          GitHub stand-in on 127.0.0.1, plus /stats for the census
//   storm URL COUNT SECONDS RUN                    COUNT distinct unknown MACs, evenly over SECONDS, one request each
//   floor PORT APPROVED_MAC FILE                   bare Kestrel answering fixed bytes: FILE for APPROVED_MAC, else 403
return args switch
{
    ["standin", .. var rest] => await StandInHost.RunAsync(rest.Contains("--unlimited")),
    ["storm", var url, var count, var seconds, var run] => await StormClient.RunAsync(new Uri(url), int.Parse(count), double.Parse(seconds), int.Parse(run)),
    ["floor", var port, var mac, var file] => await KestrelFloor.RunAsync(int.Parse(port), mac, file),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Ktizo.Storm standin [--unlimited] | storm GATEKEEPER_URL COUNT SECONDS RUN | floor PORT APPROVED_MAC FILE");
    return 2;
}
