using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Hands the ledger's queued billing events to every sink (Kafka, webhooks) in queue order and marks
/// them published; a failed sink leaves them queued and is retried. Without a sink the events stay in
/// the ledger, where <c>GET /api/v1/billing/events</c> serves them.
/// </summary>
public sealed class BillingEventDispatcher(IBillingOutbox outbox, IEnumerable<IBillingEventSink> sinks, TimeProvider clock, ILogger<BillingEventDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(5);
    private readonly IReadOnlyList<IBillingEventSink> _sinks = [.. sinks];

    /// <summary>Publishes one batch; how many events it published.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var batch = await outbox.UnpublishedAsync(500, cancellationToken);
        if (batch.Count == 0)
        {
            return 0;
        }

        foreach (var sink in _sinks)
        {
            await sink.PublishAsync(batch, cancellationToken);
        }

        await outbox.MarkPublishedAsync(batch, clock.GetUtcNow(), cancellationToken);
        return batch.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_sinks.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Idle;
            try
            {
                if (await RunOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                InvoicerLog.PublishFailed(logger, error, "batch");
                wait = AfterFailure;
            }

            await Task.Delay(wait, clock, stoppingToken);
        }
    }
}
