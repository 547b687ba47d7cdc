using Ktizo.Gatekeeper.Boot;
using Ktizo.Gatekeeper.DeviceAuth;
using Ktizo.Gatekeeper.Devices;
using Ktizo.Gatekeeper.GitHub;
using Ktizo.Gatekeeper.Http;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.Gatekeeper.Observability;
using Ktizo.Gatekeeper.Security;
using Ktizo.Gatekeeper.Serving;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Rules;
using Ktizo.Gatekeeper.Sync;
using Ktizo.Gatekeeper.Ui;
using Ktizo.Git;
using Ktizo.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Ktizo.Gatekeeper;

/// <summary>
/// The seam <c>ktizo serve</c> and Program.cs share: builds the whole gatekeeper from its settings
/// (<see cref="KtizoSettings"/>: flags, <c>KTIZO_…</c> variables, appsettings.json).
/// </summary>
public static class GatekeeperApp
{
    /// <summary>Builds the gatekeeper from its flags (docs/gatekeeper.md). Throws <see cref="Core.KtizoException"/> naming every bad setting.</summary>
    public static WebApplication Build(string[] args) => Build(args, configureServices: null, configureApp: null);

    /// <param name="args">Gatekeeper flags only (see docs/gatekeeper.md).</param>
    /// <param name="configureServices">Runs after the gatekeeper's registrations: replace a service, add the boot module's.</param>
    /// <param name="configureApp">Runs after the gatekeeper's routes are mapped: map more (the boot chain).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configureServices, Action<WebApplication>? configureApp) =>
        Build(SettingFlags.Parse(args, KtizoSettings.Serve), configureServices, configureApp);

    /// <param name="flags">The settings given as flags, by configuration key (<see cref="SettingFlags.Values"/>).</param>
    /// <param name="configureServices">Runs after the gatekeeper's registrations: replace a service, add the boot module's.</param>
    /// <param name="configureApp">Runs after the gatekeeper's routes are mapped: map more (the boot chain).</param>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> flags, Action<WebApplicationBuilder>? configureServices, Action<WebApplication>? configureApp)
    {
        var currentDirectory = Directory.GetCurrentDirectory();

        // Args are not handed to the host: every flag is a setting, parsed by System.CommandLine already.
        // Slim: without IIS integration and the HTTP/3 (QUIC) transport, neither of any use here, whose
        // assemblies and JIT code cost resident memory (docs/benchmarks.md, item 12); https:// still works (below).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = currentDirectory });
        builder.Configuration.AddKtizoSettings(flags);

        // The host needs the listen URLs and the data folder before it starts: the same validator runs now,
        // on the configuration itself, so one message names every bad setting; at start it runs again on the options.
        var validator = new SettingsValidator(Environment.GetEnvironmentVariable);
        SettingsValidator.ThrowIfAny(validator.Check(builder.Configuration, KtizoSettings.Serve, currentDirectory), "The gatekeeper cannot start; fix these settings:");
        builder.Services.AddKtizoSettings(builder.Configuration, validator, currentDirectory);
        var options = builder.Configuration.Get<GatekeeperOptions>() ?? new GatekeeperOptions();
        new GatekeeperDefaults(currentDirectory).PostConfigure(Microsoft.Extensions.Options.Options.DefaultName, options);

        // Per-request framework chatter drowns the gatekeeper's own lines (one per config answer).
        // appsettings.json or KTIZO_Logging__LogLevel__Microsoft.AspNetCore=Information brings it back.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // While this category is enabled at any level, hosting starts an Activity and a log scope for
        // every request (docs/benchmarks.md, item 4). It only logs request start/finish and
        // start-up failures, which `ktizo serve` prints anyway; Kestrel and the exception handler log
        // unhandled request errors under their own categories.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls([.. options.ListenUrls]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Kestrel hands every read from the socket to one of its I/O queues and then the request to the thread
        // pool: two hops per request, each a thread woken. Inline, the request runs on the thread the read
        // completed on. That is still a thread-pool thread, because the runtime's socket engine dispatches
        // completions to the pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, which would move them onto the
        // epoll thread, stays unset), so a handler that blocks holds a pool thread as before, never the poller.
        // Fewer wake-ups per request: more answers a second and less CPU per boot-storm request (docs/benchmarks.md, item 12).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        var dataLock = DataFolderLock.Acquire(options.DataFolder);
        try
        {
            // Made by a factory and resolved at once, so the container owns it: disposing the app releases the folder.
            builder.Services.AddSingleton(_ => dataLock);
            AddGatekeeper(builder.Services, options);
            builder.Services.AddGatekeeperGitHub(builder.Configuration);
            builder.Services.AddGatekeeperNotifications(builder.Configuration, Environment.GetEnvironmentVariable);
            builder.Services.AddGatekeeperRules(options);
            configureServices?.Invoke(builder);

            var app = builder.Build();
            app.Services.GetRequiredService<DataFolderLock>();
            UseGatekeeper(app, options);
            configureApp?.Invoke(app);
            return app;
        }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    /// <summary>Every service the gatekeeper needs; each is a singleton a test may replace afterwards.</summary>
    public static IServiceCollection AddGatekeeper(IServiceCollection services, GatekeeperOptions options)
    {
        // Resolved by the handlers directly; the options pattern holds the same values, checked at start.
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));

        services.AddSingleton(sp =>
        {
            Directory.CreateDirectory(options.DataFolder);
            return DeviceStore.Open(options.StorePath, sp.GetRequiredService<TimeProvider>(), options.HistoryEntries);
        });
        services.AddSingleton<IRepositorySource>(sp => new MirrorRepositorySource(new RepositoryMirror(
            new MirrorOptions(options.Repository, options.Branch, options.ClonePath, options.RepositoryToken),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<RepositoryMirror>())));
        services.AddSingleton<Core.Rendering.IConfigSchemas>(Schema.TalosSchemas.Embedded);
        services.AddSingleton<ClusterSecretsSource>();
        services.AddSingleton<IConfigRenderer, CoreRenderer>();
        services.AddSingleton<ServingState>();
        services.AddSingleton<GatekeeperMetrics>();
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<DeviceSightings>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<CallerAccess>();
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DriftExplainer>();
        services.AddSingleton<ConfigDownloadHandler>();
        services.AddSingleton<GitHubWebhook>();
        services.AddDeviceAuth();
        services.AddDeviceUi();

        // Hosted services stop in reverse order: the sync loop first, then the final store flush.
        services.AddSingleton(sp => new DeviceStoreFlusher(
            sp.GetRequiredService<DeviceStore>(),
            options.StoreFlushInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeviceStoreFlusher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DeviceStoreFlusher>());
        services.AddSingleton<SyncService>();
        services.AddHostedService(sp => sp.GetRequiredService<SyncService>());
        services.AddSingleton<StoreWriteProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreWriteProbe>());
        services.AddSingleton<PendingPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingPruner>());

        if (options.RateLimitPermits > 0)
        {
            services.AddSingleton(sp => new SourceAddressRateLimit(options.RateLimitPermits, options.RateLimitWindow, sp.GetRequiredService<TimeProvider>()));
        }

        services.AddBoot();
        return services;
    }

    /// <summary>The middleware pipeline and the routes.</summary>
    public static WebApplication UseGatekeeper(WebApplication app, GatekeeperOptions options)
    {
        app.UseExceptionHandler();
        // Before the config fast path: every machine is limited, and the limiter needs no route.
        if (options.RateLimitPermits > 0)
        {
            app.Use(app.Services.GetRequiredService<SourceAddressRateLimit>().InvokeAsync);
        }

        app.UseConfigDownloadFastPath();
        app.UseStatusCodePages();
        app.UseStandardMethodsOnly();
        app.UseRoutingWithHeadAsGet();
        var metrics = app.Services.GetRequiredService<GatekeeperMetrics>();
        app.UseHttpMetrics(http => http.SetMetricFactory(metrics.Factory));
        app.UseRejectedBodies();

        app.MapGatekeeper();
        app.MapBoot();
        app.MapDeviceAuth();
        app.MapDeviceUi();
        AccessLog.AtStart(app.Services.GetRequiredService<AccessTokens>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ktizo.Gatekeeper.Security"));
        return app;
    }
}
