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
/// Carries usage deltas from the delta topic to the rating grains through a <see cref="UsageDeltaPipeline"/>:
/// per batch of one delta partition it maps each delta's subject to its customer and hands every customer its
/// deltas in log order in one call; several batches are in flight, each grain's calls stay in log order, and a
/// partition's position is committed only past batches every grain has applied. A failure applies the batches
/// after the committed position again, and a crash replays them from it; the grains apply each event once by
/// position, so neither double counts. Its waits and retry pauses run on the process's clock, not the rating
/// clock (which tests hold still): a pause on a clock that never moves would stop the consumer for good.
/// </summary>
public sealed class UsageDeltaConsumer(
    IEventLog deltas,
    ICustomerStore customers,
    IGrainFactory grains,
    TimeProvider clock,
    IOptions<RatingOptions> options,
    ILogger<UsageDeltaConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await using var consumer = deltas.OpenConsumer(UsageDeltaTopic.RatingGroup);
        RatingLog.DeltaConsumerStarted(logger, UsageDeltaTopic.RatingGroup);
        var settings = options.Value;
        var pipeline = new UsageDeltaPipeline(
            RouteAsync,
            ApplyAsync,
            new UsageDeltaPipelineOptions(settings.DeltaBatchRecords, settings.DeltaBatchesInFlight, TimeSpan.FromMilliseconds(settings.DeltaWaitMilliseconds), TimeSpan.FromSeconds(1)),
            clock,
            logger);
        try
        {
            await pipeline.RunAsync(consumer, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Decodes a batch of delta records and groups them by the customer owning each delta's subject, in log order.</summary>
    public async Task<IReadOnlyList<CustomerDeltas>> RouteAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
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

        var routed = new List<CustomerDeltas>();
        foreach (var tenant in decoded.GroupBy(d => d.TenantId, StringComparer.Ordinal))
        {
            var owners = await customers.CustomerIdsBySubjectAsync(tenant.Key, [.. tenant.Select(d => d.Subject).Distinct(StringComparer.Ordinal)], cancellationToken);
            foreach (var customer in tenant.Where(d => owners.ContainsKey(d.Subject)).GroupBy(d => owners[d.Subject], StringComparer.Ordinal))
            {
                routed.Add(new CustomerDeltas(RatingKeys.Customer(tenant.Key, customer.Key), [.. customer]));
            }
        }

        return routed;
    }

    /// <summary>Hands one customer its deltas; the grain only reads them, so they are not copied.</summary>
    public Task ApplyAsync(CustomerDeltas share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return grains.GetGrain<ICustomerRatingGrain>(share.GrainKey).ApplyUsageAsync(new Immutable<IReadOnlyList<UsageDelta>>(share.Deltas));
    }
}
