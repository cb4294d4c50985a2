using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Aggregator;

/// <summary>
/// Consumes the usage event log and stores every event once per identity (tenant, source, id). Per
/// batch of one partition: read the events, look their identities up in the partition's identity
/// index, keep the first of each identity (<see cref="EventDeduplication"/>), store them (and the
/// rejected records), record the new identities, then commit the log position. Every step is
/// idempotent by identity, so a replay after a crash, or a second aggregator that owned the partition
/// meanwhile, cannot double count: what one stored the other finds in the index (completed from the
/// store when a partition is taken over), and an identical row stored twice collapses in the store.
/// After storing a batch, and before recording its identities and committing, it publishes the stored
/// events per subject to the usage delta topic (<see cref="UsageDeltaPublisher"/>), each with its log
/// position: a crash before the commit re-stores and republishes them under the same positions, which
/// the rating grains apply once.
/// </summary>
public sealed class UsageAggregator(
    IEventLog log,
    UsageDeltaPublisher deltas,
    IEventStore store,
    IEventIdentityIndex index,
    AggregatorMetrics metrics,
    TimeProvider clock,
    IOptions<AggregatorOptions> options,
    ILogger<UsageAggregator> logger)
{
    private const int RebuildChunk = 50_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var consumer = log.OpenConsumer(settings.ConsumerGroup);
        AggregatorLog.Started(logger, settings.ConsumerGroup);
        var wait = TimeSpan.FromMilliseconds(settings.MaxWaitMilliseconds);
        // Where each partition continues; a batch elsewhere means the partition was (re)assigned.
        var continuing = new Dictionary<int, long>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var reading = clock.GetTimestamp();
            var batch = await consumer.ReadAsync(settings.MaxBatchRecords, wait, cancellationToken);
            if (batch is null)
            {
                continue;
            }

            metrics.Phase(CyclePhase.Read, clock.GetElapsedTime(reading));

            if (!continuing.TryGetValue(batch.Partition, out var next) || next != batch.FirstPosition)
            {
                await RetryAsync(batch, () => CompleteIndexAsync(batch.Partition, batch.FirstPosition, cancellationToken), cancellationToken);
            }

            await RetryAsync(batch, () => StoreAsync(batch, cancellationToken), cancellationToken);

            // Committing can fail too (the log's disk is full): retry it like a write, never give up the loop.
            var committed = false;
            var committing = clock.GetTimestamp();
            await RetryAsync(batch, async () => committed = await consumer.CommitAsync(batch.Partition, batch.NextPosition, cancellationToken), cancellationToken);
            metrics.Phase(CyclePhase.Commit, clock.GetElapsedTime(committing));
            if (committed)
            {
                continuing[batch.Partition] = batch.NextPosition;
                metrics.Committed(batch.Partition, batch.NextPosition - batch.FirstPosition);
            }
            else
            {
                continuing.Remove(batch.Partition);
                AggregatorLog.Revoked(logger, batch.Partition, batch.NextPosition);
            }
        }
    }

    private async Task StoreAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        var phase = clock.GetTimestamp();
        var events = new List<StoredEvent>(batch.Records.Count);
        var rejected = new List<RejectedEvent>();
        foreach (var record in batch.Records)
        {
            var tenantId = EventKey.TenantOf(record.Key);
            if (tenantId is null)
            {
                rejected.Add(new RejectedEvent("", null, $"unreadable: the log key '{Truncate(record.Key)}' names no tenant", Raw(record), record.Partition, record.Position));
            }
            else if (!LoggedEventReader.TryRead(tenantId, record.Value.Span, out var read, out var reason))
            {
                rejected.Add(new RejectedEvent(tenantId, null, reason, Raw(record), record.Partition, record.Position));
            }
            else
            {
                events.Add(read with
                {
                    IdentityDigest = EventDigests.Identity(read.Identity),
                    PayloadDigest = EventDigests.Payload(read),
                    Partition = record.Partition,
                    Position = record.Position,
                });
            }
        }

        phase = Lap(CyclePhase.Decode, phase);
        var known = await index.FindAsync(batch.Partition, events.Select(e => e.IdentityDigest).ToHashSet(), cancellationToken);
        var judged = EventDeduplication.Deduplicate(events, known);
        rejected.AddRange(judged.Conflicting.Select(conflict => new RejectedEvent(
            conflict.Identity.TenantId,
            conflict,
            "duplicate: an event with this source and id was stored first with a different payload; the first one counts",
            "",
            conflict.Partition,
            conflict.Position)));
        phase = Lap(CyclePhase.Lookup, phase);
        var stored = await StoreIsolatingAsync(judged.New, rejected, cancellationToken);
        phase = Lap(CyclePhase.InsertEvents, phase);
        await store.TouchHoursAsync(stored, cancellationToken);
        phase = Lap(CyclePhase.InsertHours, phase);
        await store.InsertRejectedAsync(rejected, clock.GetUtcNow(), cancellationToken);
        phase = Lap(CyclePhase.InsertRejected, phase);
        await deltas.PublishAsync(batch.Partition, stored, cancellationToken);
        phase = Lap(CyclePhase.Publish, phase);
        await index.AddAsync(batch.Partition, [.. stored.Select(e => KeyValuePair.Create(e.IdentityDigest, e.PayloadDigest))], batch.NextPosition, cancellationToken);
        Lap(CyclePhase.IdentityAdd, phase);
        metrics.Stored(batch.Partition, stored.Count, judged.Resent.Count, rejected.Count);
        AggregatorLog.Stored(logger, batch.Partition, batch.FirstPosition, batch.NextPosition, stored.Count, judged.Resent.Count, rejected.Count);
    }

    /// <summary>
    /// Stores the events; if the store refuses the batch for its content (not for being away), halves
    /// it until the one event it refuses is found and rejected, so a poison event never stalls the rest.
    /// </summary>
    private async Task<IReadOnlyList<StoredEvent>> StoreIsolatingAsync(IReadOnlyList<StoredEvent> events, List<RejectedEvent> rejected, CancellationToken cancellationToken)
    {
        try
        {
            await store.InsertEventsAsync(events, cancellationToken);
            return events;
        }
        catch (Exception ex) when (ex is not (StoreUnavailableException or StorageFullException or OperationCanceledException) && events.Count > 0)
        {
            if (events.Count == 1)
            {
                rejected.Add(new RejectedEvent(events[0].Identity.TenantId, events[0], $"unstorable: {Truncate(ex.Message)}", "", events[0].Partition, events[0].Position));
                return [];
            }

            var half = events.Count / 2;
            var first = await StoreIsolatingAsync([.. events.Take(half)], rejected, cancellationToken);
            var second = await StoreIsolatingAsync([.. events.Skip(half)], rejected, cancellationToken);
            return [.. first, .. second];
        }
    }

    /// <summary>
    /// Makes the partition's identity index complete up to <paramref name="position"/> (where this
    /// aggregator now starts reading) by adding what the store holds beyond the index's own mark, e.g.
    /// after another aggregator owned the partition or the index lost its last writes. Events stored at
    /// or after <paramref name="position"/> are left out on purpose: they belong to a batch that was not
    /// committed (its writer may have crashed before publishing its usage deltas), so this aggregator
    /// judges them new again, stores identical rows and publishes them under the same positions.
    /// </summary>
    private async Task CompleteIndexAsync(int partition, long position, CancellationToken cancellationToken)
    {
        var through = await index.CompleteThroughAsync(partition, cancellationToken);
        if (through >= position)
        {
            return;
        }

        AggregatorLog.CompletingIndex(logger, partition, through, position);
        var chunk = new List<KeyValuePair<UInt128, ulong>>(RebuildChunk);
        long added = 0;
        await foreach (var identity in store.IdentitiesAsync(partition, through, position, cancellationToken))
        {
            chunk.Add(identity);
            if (chunk.Count == RebuildChunk)
            {
                await index.AddAsync(partition, chunk, through, cancellationToken);
                added += chunk.Count;
                chunk.Clear();
            }
        }

        await index.AddAsync(partition, chunk, position, cancellationToken);
        AggregatorLog.IndexCompleted(logger, partition, added + chunk.Count, position);
    }

    private async Task RetryAsync(LogBatch batch, Func<Task> work, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(options.Value.RetryDelayMilliseconds);
        while (true)
        {
            try
            {
                await work();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                AggregatorLog.WriteFailed(logger, ex, batch.Partition, batch.FirstPosition, batch.NextPosition);
                await Task.Delay(delay, clock, cancellationToken);
            }
        }
    }

    /// <summary>Records the phase that started at <paramref name="started"/> and returns when the next one starts.</summary>
    private long Lap(string phase, long started)
    {
        var now = clock.GetTimestamp();
        metrics.Phase(phase, clock.GetElapsedTime(started, now));
        return now;
    }

    private static string Raw(StoredRecord record) =>
        System.Text.Encoding.UTF8.GetString(record.Value.Span[..Math.Min(record.Value.Length, Limits.EventDataBytes)]);

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
