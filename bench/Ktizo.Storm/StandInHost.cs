using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ktizo.Testing.GitHub;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ktizo.Storm;

/// <summary>
/// Hosts the GitHub stand-in (tests/Ktizo.Testing/GitHub) as a process on 127.0.0.1 for the benchmark, on the
/// real clock, and a second listener whose <c>GET /stats</c> counts what a person would see on GitHub.
/// </summary>
public static class StandInHost
{
    public const string Token = "ghp_benchStandInToken000000000000000000";

    /// <param name="unlimited">
    /// Lifts GitHub's content-creation limits (80 a minute, 500 an hour; issues 20 and 150) and the primary limit, so that a
    /// gatekeeper told to open one issue per MAC without pacing can be measured doing that.
    /// </param>
    public static async Task<int> RunAsync(bool unlimited)
    {
        await using var standIn = await GitHubStandIn.StartAsync(TimeProvider.System, token: Token);
        if (unlimited)
        {
            standIn.Limits.PrimaryLimit = int.MaxValue;
            standIn.Limits.ContentCreationsPerMinute = int.MaxValue;
            standIn.Limits.ContentCreationsPerHour = int.MaxValue;
            standIn.Limits.IssueCreationsPerMinute = int.MaxValue;
            standIn.Limits.IssueCreationsPerHour = int.MaxValue;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        app.MapGet("/stats", () => Results.Text(JsonSerializer.Serialize(IssueCensus.Take(standIn)), "application/json"));
        await app.StartAsync();
        var stats = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        // run-all.sh reads these two lines from the log.
        Console.WriteLine($"api {standIn.BaseUri}");
        Console.WriteLine($"stats {stats}/stats");
        Console.WriteLine($"limits {(unlimited ? "unlimited" : $"{standIn.Limits.ContentCreationsPerMinute}/min, {standIn.Limits.ContentCreationsPerHour}/h, issues {standIn.Limits.IssueCreationsPerMinute}/min, {standIn.Limits.IssueCreationsPerHour}/h")}");

        await app.WaitForShutdownAsync();
        return 0;
    }
}
