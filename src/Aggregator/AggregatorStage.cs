using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Aggregator.Meters;
using Tally.Aggregator.Portal;

namespace Tally.Aggregator;

/// <summary>
/// The aggregator stage: the consumer that folds the event log into usage, and the meters and usage
/// queries users define and read, also through portal tokens.
/// </summary>
public static class AggregatorStage
{
    /// <summary>Registers the aggregation worker (options validated at start).</summary>
    public static IServiceCollection AddTallyAggregation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AggregatorOptions>()
            .Bind(configuration.GetSection(AggregatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<AggregatorMetrics>();
        services.AddSingleton<UsageAggregator>();
        services.AddHostedService<AggregationWorker>();
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionWorker>());
        return services;
    }

    /// <summary>
    /// Registers what the meter and portal routes need: live query streams and portal token lifetimes
    /// (sections <c>MeterStream</c> and <c>Portal</c>, validated at start).
    /// </summary>
    public static IServiceCollection AddTallyMeterQueries(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MeterStreamOptions>()
            .Bind(configuration.GetSection(MeterStreamOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PortalOptions>()
            .Bind(configuration.GetSection(PortalOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<MeterQueryStream>();
        return services;
    }

    /// <summary>Maps meters and meter queries, portal tokens, and what a portal token reads.</summary>
    public static IEndpointRouteBuilder MapTallyMeters(this IEndpointRouteBuilder routes) =>
        routes.MapMeters().MapPortalTokens().MapPortalMeters();
}
