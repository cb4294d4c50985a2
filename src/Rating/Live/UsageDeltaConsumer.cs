using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Tally.Billing.Customers;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;

namespace Tally.Rating.Live;

/// <summary>
/// Carries usage deltas from the delta topic to the rating grains: per batch of one delta partition it
/// maps each delta's subject to its customer, hands every customer its deltas in log order in one call,
/// waits for all, then commits. A failure retries the whole batch, and a crash replays it from the last
/// commit; the grains apply each event once by position, so neither double counts.
/// </summary>
public sealed class UsageDeltaConsumer(
    IEventLog deltas,
    ICustomerStore customers,
    IGrainFactory grains,
    [FromKeyedServices(RatingClock.Key)] TimeProvider clock,
    IOptions<RatingOptions> options,
    ILogger<UsageDeltaConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await using var consumer = deltas.OpenConsumer(UsageDeltaTopic.RatingGroup);
        RatingLog.DeltaConsumerStarted(logger, UsageDeltaTopic.RatingGroup);
        var wait = TimeSpan.FromMilliseconds(options.Value.DeltaWaitMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            LogBatch? batch;
            try
            {
                batch = await consumer.ReadAsync(options.Value.DeltaBatchRecords, wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (batch is null)
            {
                continue;
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ApplyAsync(batch, stoppingToken);
                    await consumer.CommitAsync(batch.Partition, batch.NextPosition, stoppingToken);
                    break;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    RatingLog.DeltaBatchFailed(logger, ex, batch.Partition, batch.FirstPosition);
                    await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
                }
            }
        }
    }

    /// <summary>Applies one batch of delta records to the grains of the customers they belong to.</summary>
    public async Task ApplyAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        var decoded = new List<UsageDelta>(batch.Records.Count);
        foreach (var record in batch.Records)
        {
            if (UsageDelta.TryDecode(record.Value.Span, out var delta))
            {
                decoded.Add(delta!);
            }
            else
            {
                RatingLog.DeltaUnreadable(logger, record.Partition, record.Position);
            }
        }

        var calls = new List<Task>();
        foreach (var tenant in decoded.GroupBy(d => d.TenantId, StringComparer.Ordinal))
        {
            var owners = await customers.CustomerIdsBySubjectAsync(tenant.Key, [.. tenant.Select(d => d.Subject).Distinct(StringComparer.Ordinal)], cancellationToken);
            foreach (var customer in tenant.Where(d => owners.ContainsKey(d.Subject)).GroupBy(d => owners[d.Subject], StringComparer.Ordinal))
            {
                calls.Add(grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenant.Key, customer.Key)).ApplyUsageAsync(new Immutable<IReadOnlyList<UsageDelta>>([.. customer])));
            }
        }

        await Task.WhenAll(calls);
    }
}
