using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tally.Aggregator;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Billing.Tenants;
using Tally.ClickHouse;
using Tally.EventIdentities;
using Tally.EventLog;
using Tally.Host.Dashboard;
using Tally.Ingest;
using Tally.Invoicer;
using Tally.Ledger;
using Tally.Rating;
using Tally.ServiceDefaults;
using Tally.Stripe;

namespace Tally.Host.Hosting;

/// <summary>Composes one Tally server process from its roles; the only place that knows every stage and adapter.</summary>
public static class TallyServer
{
    public static WebApplication Build(ServeSettings settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("TALLY_");
        builder.Configuration.AddInMemoryCollection(settings.Configuration);
        var grpcPort = settings.Roles.HasFlag(TallyRoles.Ingest) ? settings.GrpcPort ?? builder.Configuration.GetValue("Ingest:GrpcPort", 0) : (int?)null;
        // A bound on every request body; each route then bounds every field it reads (Limits).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, settings.BindAddress, settings.Port, null);
            if (grpcPort is { } port)
            {
                // gRPC without TLS needs HTTP/2 with prior knowledge, so its own HTTP/2-only port.
                Listen(kestrel, settings.BindAddress, port, HttpProtocols.Http2);
            }

            kestrel.Limits.MaxRequestBodySize = Limits.RequestBodyBytes;
            // Room for a meter query naming its most subjects at their longest (GET, as OpenMeter has it).
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
        });
        ConfigureLogging(builder.Logging);

        var paths = new TallyPaths(settings.DataDirectory);
        PrivateFiles.Apply();
        PrivateFiles.Secure(paths.DataDirectory);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        var readiness = services.AddTallyServiceDefaults(configuration, paths);
        services.AddTallyLedger(configuration, paths.DataDirectory);
        readiness.Add(ReadinessProbe.Register(
            "ledger", "The ledger does not answer.", (sp, ct) => sp.GetRequiredService<ITenantStore>().GetAsync("tnt_readiness_probe", ct)));

        var roles = settings.Roles;

        // The close workers wait on the aggregator's progress through the log: every process with Kafka
        // sees it; the embedded log belongs to the one process that runs ingest or the aggregator.
        var seesLog = roles.HasFlag(TallyRoles.Ingest) || roles.HasFlag(TallyRoles.Aggregator)
            || !string.IsNullOrWhiteSpace(configuration["Kafka:BootstrapServers"]);
        if (seesLog)
        {
            // A gateway in Kafka mode acknowledges from its local buffer and forwards to Kafka (EventLog:BufferEnabled).
            services.AddTallyEventLog(configuration, paths.DataDirectory, ingests: roles.HasFlag(TallyRoles.Ingest));
            readiness.Add(new HealthCheckRegistration("event-log", sp => new EventLogReadiness(sp.GetRequiredService<IEventLog>()), failureStatus: null, tags: null));
        }

        if (roles.HasFlag(TallyRoles.Aggregator) || roles.HasFlag(TallyRoles.Api))
        {
            services.AddSingleton(SelfCommand.ClickHouse(paths.DataDirectory));
            services.AddTallyClickHouse(configuration, paths.DataDirectory);
            readiness.Add(ReadinessProbe.Register(
                "clickhouse", "ClickHouse does not answer.", (sp, ct) => sp.GetRequiredService<IClickHouse>().QueryAsync("SELECT 1", null, r => r.GetValue(0), ct)));
        }

        if (roles.HasFlag(TallyRoles.Aggregator) || roles.HasFlag(TallyRoles.Api))
        {
            // The usage delta topic: the aggregator publishes what it stored, the rating grains consume it.
            services.AddTallyUsageDeltaLog(configuration, paths.DataDirectory);
        }

        if (roles.HasFlag(TallyRoles.Ingest))
        {
            services.AddTallyIngest(configuration);
        }

        if (roles.HasFlag(TallyRoles.Aggregator))
        {
            services.AddTallyEventIdentities(configuration, paths.DataDirectory);
            services.AddTallyAggregation(configuration);
        }

        if (roles.HasFlag(TallyRoles.Api))
        {
            var siloPort = configuration.GetValue("Orleans:SiloPort", FreePorts.Next());
            var gatewayPort = configuration.GetValue("Orleans:GatewayPort", FreePorts.Next());
            builder.UseOrleans(silo => silo.UseTallyRating(configuration, siloPort, gatewayPort));
            services.AddTallyMeterQueries(configuration);
            services.AddTallyRating(configuration).AddTallyInvoicer(configuration).AddTallyStripe(configuration, paths.DataDirectory);
            if (seesLog)
            {
                services.AddTallyUsageWatermark(configuration).AddTallyCloseWorkers();
            }
        }

        configureServices?.Invoke(services);
        var app = builder.Build();
        app.UseTallyServiceDefaults();
        if (roles.HasFlag(TallyRoles.Ingest))
        {
            app.UseTallyIngest();
        }

        if (roles.HasFlag(TallyRoles.Api))
        {
            app.MapTallyAdmin();
            app.MapTallyEventList();
            app.MapTallyMeters();
            app.MapTallyRating();
            app.MapTallyInvoicer();
            app.MapTallyDashboard();
            app.MapTallyStripe();
        }

        return app;
    }

    /// <summary>Where the gRPC ingest service listens once started (its port may have been picked), or null without the ingest role.</summary>
    public static string? GrpcUrl(WebApplication app, ServeSettings settings)
    {
        if (!settings.Roles.HasFlag(TallyRoles.Ingest))
        {
            return null;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.FirstOrDefault(address => new Uri(address).Port != settings.Port);
    }

    // Protocols null keeps Kestrel's default (what the main port always had).
    private static void Listen(KestrelServerOptions kestrel, string bindAddress, int port, HttpProtocols? protocols)
    {
        void Configure(ListenOptions listen)
        {
            if (protocols is { } chosen)
            {
                listen.Protocols = chosen;
            }
        }

        if (System.Net.IPAddress.TryParse(bindAddress, out var address))
        {
            kestrel.Listen(address, port, Configure);
        }
        else
        {
            kestrel.ListenLocalhost(port, Configure);
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        // Per-request framework logs would flood the console under load; Logging:LogLevel:* overrides these.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
    }
}
