using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Aggregator.Meters;
using Tally.Aggregator.Reconciliation;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;

namespace Tally.Aggregator;

/// <summary>
/// The aggregator stage: the consumer that folds the event log into usage, and the meters and usage
/// queries users define and read.
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
        services.AddSingleton(provider => new UsageDeltaPublisher(provider.GetKeyedService<IEventLog>(UsageDeltaTopic.Name)));
        services.AddSingleton<UsageAggregator>();
        services.AddHostedService<AggregationWorker>();
        services.AddSingleton<RollupWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<RollupWorker>());
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionWorker>());
        return services;
    }

    /// <summary>Maps meters and meter queries, and the operator's usage reconciliation.</summary>
    public static IEndpointRouteBuilder MapTallyMeters(this IEndpointRouteBuilder routes) => routes.MapMeters().MapReconciliation();
}
