using Microsoft.Extensions.Hosting;

namespace Tally.Aggregator;

/// <summary>Runs the <see cref="UsageAggregator"/> for the lifetime of the host.</summary>
public sealed class AggregationWorker(UsageAggregator aggregator) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => aggregator.RunAsync(stoppingToken);
}
