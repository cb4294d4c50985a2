using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Ingest.Events;
using Tally.Ingest.Grpc;
using Tally.Ingest.Meters;
using Tally.Ingest.RateLimits;

namespace Tally.Ingest;

/// <summary>The ingest stage: the event gateway in front of the event log.</summary>
public static class IngestStage
{
    /// <summary>Registers the gateway's services (it needs an <c>IEventLog</c> from an adapter).</summary>
    public static IServiceCollection AddTallyIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TenantMeterCatalog>();
        services.AddSingleton<IngestRateLimits>();
        services.AddSingleton<EventIngestion>();
        services.AddGrpc();
        services.AddGrpcReflection();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IngestRateLimits>((options, limits) => options.AddPolicy(IngestRateLimits.PolicyName, limits));
        return services;
    }

    /// <summary>Rate limiting (after authentication, which names the tenant) and the routes SaaS products send events to.</summary>
    public static WebApplication UseTallyIngest(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapEvents();
        app.MapGrpcService<IngestGrpcService>();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>Maps the event list, which reads the usage store (served by processes with the api role).</summary>
    public static IEndpointRouteBuilder MapTallyEventList(this IEndpointRouteBuilder routes) => routes.MapEventList();
}
