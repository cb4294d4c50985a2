using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tally.Aggregator;

/// <summary>
/// Runs the <see cref="UsageAggregator"/> for the lifetime of the host, and runs it again (a fresh
/// consumer, resuming from the committed positions) if it ever fails: a replay is harmless, because
/// every step is idempotent by event identity, while a dead aggregator would silently stop counting.
/// </summary>
public sealed class AggregationWorker(UsageAggregator aggregator, TimeProvider clock, ILogger<AggregationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Restart = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await aggregator.RunAsync(stoppingToken);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                AggregatorLog.Restarting(logger, error, Restart.TotalSeconds);
                await Task.Delay(Restart, clock, stoppingToken);
            }
        }
    }
}
