using Tally.Aggregator;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Billing.Tenants;
using Tally.ClickHouse;
using Tally.EventIdentities;
using Tally.EventLog;
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
        builder.WebHost.UseUrls(settings.BaseUrl);
        // A bound on every request body; each route then bounds every field it reads (Limits).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
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
        if (roles.HasFlag(TallyRoles.Ingest) || roles.HasFlag(TallyRoles.Aggregator))
        {
            services.AddTallyEventLog(configuration, paths.DataDirectory);
            readiness.Add(ReadinessProbe.Register("event-log", "The event log does not take appends.", (sp, _) =>
            {
                var health = sp.GetRequiredService<IEventLog>().Health;
                return health.Ready ? Task.CompletedTask : throw new InvalidOperationException(health.Description);
            }));
        }

        if (roles.HasFlag(TallyRoles.Aggregator) || roles.HasFlag(TallyRoles.Api))
        {
            services.AddSingleton(SelfCommand.ClickHouse(paths.DataDirectory));
            services.AddTallyClickHouse(configuration, paths.DataDirectory);
            readiness.Add(ReadinessProbe.Register(
                "clickhouse", "ClickHouse does not answer.", (sp, ct) => sp.GetRequiredService<IClickHouse>().QueryAsync("SELECT 1", null, r => r.GetValue(0), ct)));
        }

        if (roles.HasFlag(TallyRoles.Ingest))
        {
            services.AddTallyIngest();
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
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));
            services.AddTallyRating().AddTallyInvoicer().AddTallyStripe(configuration, paths.DataDirectory);
        }

        configureServices?.Invoke(services);
        var app = builder.Build();
        app.UseTallyServiceDefaults();
        if (roles.HasFlag(TallyRoles.Ingest))
        {
            app.MapTallyIngest();
        }

        if (roles.HasFlag(TallyRoles.Api))
        {
            app.MapTallyAdmin();
            app.MapTallyEventList();
            app.MapTallyMeters();
            app.MapTallyRating();
            app.MapTallyInvoicer();
            app.MapTallyStripe();
        }

        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        // Per-request framework logs would flood the console under load; Logging:LogLevel:* overrides these.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
    }
}
