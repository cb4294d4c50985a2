using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tally.Aggregator.Meters;
using Tally.Aggregator.Portal;
using Tally.Aggregator.Reconciliation;
using Tally.Billing.Closing;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;

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
        AddOptions(services, configuration);
        services.AddMetrics();
        services.AddSingleton<AggregatorMetrics>();
        services.AddSingleton(provider => new UsageDeltaPublisher(provider.GetKeyedService<IEventLog>(UsageDeltaTopic.Name)));
        services.AddSingleton<UsageAggregator>();
        services.AddHostedService<AggregationWorker>();
        services.AddSingleton<RollupWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<RollupWorker>());
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

    /// <summary>Maps meters and meter queries, the operator's usage reconciliation, portal tokens, and what a portal token reads.</summary>
    public static IEndpointRouteBuilder MapTallyMeters(this IEndpointRouteBuilder routes) =>
        routes.MapMeters().MapReconciliation().MapPortalTokens().MapPortalMeters();

    /// <summary>
    /// Registers the aggregator's watermark (its consumer group's committed positions against the log's
    /// ends), which the period close waits on; needs the event log's progress in the process.
    /// </summary>
    public static IServiceCollection AddTallyUsageWatermark(this IServiceCollection services, IConfiguration configuration)
    {
        AddOptions(services, configuration);
        services.AddSingleton<IUsageWatermark>(provider => new UsageWatermark(
            provider.GetRequiredService<IEventLogProgress>(), provider.GetRequiredService<IOptions<AggregatorOptions>>().Value.ConsumerGroup));
        return services;
    }

    private static void AddOptions(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(AggregatorOptionsMarker)))
        {
            return;
        }

        services.AddSingleton<AggregatorOptionsMarker>();
        services.AddOptions<AggregatorOptions>()
            .Bind(configuration.GetSection(AggregatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    /// <summary>Marks that the aggregator's options are bound, so both registrations can ask for them.</summary>
    private sealed class AggregatorOptionsMarker;
}
