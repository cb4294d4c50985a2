using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Tally.Aggregator;
using Tally.Aggregator.Http;
using Tally.Aggregator.Storage;
using Tally.Core;
using Tally.Core.ClickHouse;
using Tally.Core.EventLog;
using Tally.Core.Http;
using Tally.Core.Ledger;
using Tally.Core.Usage;
using Tally.Host.Admin;
using Tally.Ingest;
using Tally.Invoicer;
using Tally.Invoicer.Http;
using Tally.Invoicer.Stripe;
using Tally.Rating;
using Tally.Rating.Http;

namespace Tally.Host.Hosting;

/// <summary>Composes one Tally server process from its roles; the only place that knows every stage.</summary>
public static class TallyServer
{
    public static WebApplication Build(ServeSettings settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("TALLY_");
        builder.Configuration.AddInMemoryCollection(settings.Configuration);
        builder.WebHost.UseUrls(settings.BaseUrl);
        builder.Logging.ClearProviders();
        // Per-request framework logs would flood the console under load; Logging:LogLevel:* overrides these.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var paths = new TallyPaths(settings.DataDirectory);
        Directory.CreateDirectory(paths.DataDirectory);
        var services = builder.Services;
        services.AddSingleton(paths);
        services.AddSingleton(TimeProvider.System);
        AddHttp(services, builder.Configuration);
        services.AddTallyLedger(builder.Configuration, paths);
        var readiness = services.AddHealthChecks().Add(ReadinessProbe.Register(
            "ledger", "The ledger does not answer.", (sp, ct) => sp.GetRequiredService<ITenantStore>().GetAsync("tnt_readiness_probe", ct)));

        if (settings.Roles.HasFlag(TallyRoles.Ingest) || settings.Roles.HasFlag(TallyRoles.Aggregator))
        {
            services.AddTallyEventLog(builder.Configuration, paths);
        }

        if (settings.Roles.HasFlag(TallyRoles.Aggregator) || settings.Roles.HasFlag(TallyRoles.Api))
        {
            services.AddTallyClickHouse(builder.Configuration, paths);
            services.AddSingleton<UsageTable>();
            services.AddSingleton<IUsageReader>(sp => sp.GetRequiredService<UsageTable>());
            services.AddSingleton<MeterQueryReader>();
            services.AddHostedService<UsageSchemaInitializer>();
            readiness.Add(ReadinessProbe.Register(
                "clickhouse", "ClickHouse does not answer.", (sp, ct) => sp.GetRequiredService<IClickHouse>().QueryAsync("SELECT 1", null, r => r.GetValue(0), ct)));
        }

        if (settings.Roles.HasFlag(TallyRoles.Aggregator))
        {
            services.AddOptions<AggregatorOptions>().Bind(builder.Configuration.GetSection(AggregatorOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton<UsageAggregator>();
            services.AddHostedService<AggregationWorker>();
        }

        if (settings.Roles.HasFlag(TallyRoles.Api))
        {
            AddRatingAndInvoicing(builder, services);
        }

        configureServices?.Invoke(services);
        var app = builder.Build();
        MapRoutes(app, settings.Roles);
        return app;
    }

    private static void AddHttp(IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ConflictProblem.Describe);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.AllowReadingFromString;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddOptions<AdminTokenOptions>()
            .Bind(configuration.GetSection(AdminTokenOptions.SectionName))
            .Configure(options => options.Token ??= Environment.GetEnvironmentVariable("TALLY_ADMIN_TOKEN"));
        services.AddSingleton<AdminToken>();
        services.AddAuthentication(TallyClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(TallyClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TallyClaims.TenantPolicy, policy => policy.RequireClaim(TallyClaims.TenantId))
            .AddPolicy(TallyClaims.AdminPolicy, policy => policy.RequireRole(TallyClaims.AdminRole));
    }

    private static void AddRatingAndInvoicing(WebApplicationBuilder builder, IServiceCollection services)
    {
        var siloPort = builder.Configuration.GetValue("Orleans:SiloPort", FreePorts.Next());
        var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", FreePorts.Next());
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));
        services.AddSingleton<ChargeCalculator>();
        services.AddSingleton<PeriodClose>();
        services.AddOptions<StripeOptions>().Bind(builder.Configuration.GetSection(StripeOptions.SectionName));
        var stripeConfigured = !string.IsNullOrEmpty(builder.Configuration[$"{StripeOptions.SectionName}:ApiKey"]);
        if (stripeConfigured)
        {
            services.AddSingleton<IInvoicePublisher, StripeInvoicePublisher>();
        }
        else
        {
            services.AddSingleton<IInvoicePublisher, LedgerOnlyPublisher>();
        }
    }

    private static void MapRoutes(WebApplication app, TallyRoles roles)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A conflict is the client's mistake, answered with 409; it is not an error of Tally's.
            SuppressDiagnosticsCallback = context => context.Exception is LedgerConflictException,
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                LedgerConflictException => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz");
        if (roles.HasFlag(TallyRoles.Ingest))
        {
            app.MapIngest();
        }

        if (roles.HasFlag(TallyRoles.Api))
        {
            app.MapAdmin();
            app.MapMeters();
            app.MapPlans();
            app.MapCustomers();
            app.MapInvoicing();
        }
    }
}
