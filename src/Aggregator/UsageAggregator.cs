using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Aggregator;

/// <summary>
/// Consumes the usage event log and stores every event once per identity (tenant, source, id). A cycle
/// reads at most one batch of each partition with records waiting (up to <c>MaxBatchRecords</c> in all),
/// looks their identities up in each partition's identity index, keeps the first of each identity
/// (<see cref="EventDeduplication"/>) and stores the new events of every partition in one INSERT. What
/// follows — touched hours, rejected records, usage deltas, the identities, the committed positions — is
/// the cycle's tail, which runs while the next cycle reads, judges and inserts. Per batch the durable steps
/// keep their order (events, then deltas, then identities, then the position), so every step is idempotent
/// by identity and a replay after a crash, or a second aggregator that owned the partition meanwhile,
/// cannot double count: what one stored the other finds in the index (completed from the store when a
/// partition is taken over), and an identical row stored twice collapses in the store. While a tail has
/// not yet added its identities, the next cycle judges its events against them as well as the index.
/// The usage deltas carry each event's log position: a crash before the commit re-stores and republishes
/// them under the same positions, which the rating grains apply once.
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
        // The previous cycle's tail (it answers the partitions whose commit found them revoked) and its identities.
        Task<IReadOnlyList<int>>? tail = null;
        Dictionary<int, Dictionary<UInt128, ulong>> unindexed = [];
        LogBatch? carried = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var reading = clock.GetTimestamp();
                var (batches, next) = await ReadCycleAsync(consumer, carried, settings.MaxBatchRecords, wait, cancellationToken);
                carried = next;
                if (batches.Count == 0)
                {
                    continue;
                }

                metrics.Phase(CyclePhase.Read, clock.GetElapsedTime(reading));
                foreach (var batch in batches.Where(b => !continuing.TryGetValue(b.Partition, out var position) || position != b.FirstPosition))
                {
                    // The index is completed from the store: no tail of this aggregator may still be adding to it.
                    Forget(continuing, await FinishAsync(tail));
                    (tail, unindexed) = (null, []);
                    await RetryAsync(batch, () => CompleteIndexAsync(batch.Partition, batch.FirstPosition, cancellationToken), cancellationToken);
                }

                AggregationCycle? cycle = null;
                await RetryAsync(batches[0], async () => cycle = await StoreAsync(batches, unindexed, cancellationToken), cancellationToken);
                foreach (var batch in batches)
                {
                    continuing[batch.Partition] = batch.NextPosition;
                }

                // Tails run one at a time and in order, so each partition's identities and positions advance in order.
                Forget(continuing, await FinishAsync(tail));
                unindexed = cycle!.Identities();
                var stored = cycle;
                tail = Task.Run(() => CompleteAsync(consumer, stored, cancellationToken), CancellationToken.None);
            }
        }
        finally
        {
            // The consumer is disposed after this: a tail still committing must be done with it first.
            if (tail is not null)
            {
                await tail.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Reads the cycle's batches: the first waits up to <paramref name="wait"/>, the others only take what is
    /// already there, one batch per partition; a second batch of a partition already read is carried to the next cycle.
    /// </summary>
    private static async Task<(List<LogBatch> Batches, LogBatch? Carried)> ReadCycleAsync(
        IEventLogConsumer consumer, LogBatch? carried, int maxRecords, TimeSpan wait, CancellationToken cancellationToken)
    {
        var batches = new List<LogBatch>();
        var records = 0;
        if (carried is not null)
        {
            batches.Add(carried);
            records = carried.Records.Count;
        }

        while (records < maxRecords)
        {
            var batch = await consumer.ReadAsync(maxRecords - records, batches.Count == 0 ? wait : TimeSpan.Zero, cancellationToken);
            if (batch is null)
            {
                break;
            }

            if (batches.Any(b => b.Partition == batch.Partition))
            {
                return (batches, batch);
            }

            batches.Add(batch);
            records += batch.Records.Count;
        }

        return (batches, null);
    }

    private static void Forget(Dictionary<int, long> continuing, IReadOnlyList<int> revoked)
    {
        foreach (var partition in revoked)
        {
            continuing.Remove(partition);
        }
    }

    private static async Task<IReadOnlyList<int>> FinishAsync(Task<IReadOnlyList<int>>? tail) => tail is null ? [] : await tail;

    /// <summary>Reads, judges and stores the cycle's events: when it returns, every new event is durable in the store.</summary>
    private async Task<AggregationCycle> StoreAsync(IReadOnlyList<LogBatch> batches, Dictionary<int, Dictionary<UInt128, ulong>> unindexed, CancellationToken cancellationToken)
    {
        var phase = clock.GetTimestamp();
        var rejected = new List<RejectedEvent>();
        var read = batches.Select(batch => Read(batch, rejected)).ToList();
        phase = Lap(CyclePhase.Decode, phase);
        var judged = new List<DeduplicatedBatch>(batches.Count);
        for (var i = 0; i < batches.Count; i++)
        {
            var partition = batches[i].Partition;
            var known = await index.FindAsync(partition, read[i].Select(e => e.IdentityDigest).ToHashSet(), cancellationToken);
            if (unindexed.TryGetValue(partition, out var pending) && pending.Count > 0)
            {
                var both = new Dictionary<UInt128, ulong>(pending);
                foreach (var (identity, payload) in known)
                {
                    both[identity] = payload;
                }

                known = both;
            }

            judged.Add(EventDeduplication.Deduplicate(read[i], known));
        }

        rejected.AddRange(judged.SelectMany(j => j.Conflicting).Select(conflict => new RejectedEvent(
            conflict.Identity.TenantId,
            conflict,
            "duplicate: an event with this source and id was stored first with a different payload; the first one counts",
            "",
            conflict.Partition,
            conflict.Position)));
        phase = Lap(CyclePhase.Lookup, phase);
        var stored = await StoreIsolatingAsync([.. judged.SelectMany(j => j.New)], rejected, cancellationToken);
        Lap(CyclePhase.InsertEvents, phase);
        var byPartition = stored.ToLookup(e => e.Partition);
        return new AggregationCycle(
            [.. batches.Select((batch, i) => new StoredBatch(
                batch,
                [.. byPartition[batch.Partition]],
                judged[i].Resent.Count,
                rejected.Count(r => r.Partition == batch.Partition)))],
            rejected);
    }

    /// <summary>
    /// The cycle's tail: the touched hours and rejected records, then per batch its usage deltas, identities
    /// and position, in that order. Answers the partitions a commit found revoked.
    /// </summary>
    private async Task<IReadOnlyList<int>> CompleteAsync(IEventLogConsumer consumer, AggregationCycle cycle, CancellationToken cancellationToken)
    {
        var first = cycle.Batches[0].Batch;
        var phase = clock.GetTimestamp();
        await RetryAsync(first, () => store.TouchHoursAsync(cycle.Stored, cancellationToken), cancellationToken);
        phase = Lap(CyclePhase.InsertHours, phase);
        await RetryAsync(first, () => store.InsertRejectedAsync(cycle.Rejected, clock.GetUtcNow(), cancellationToken), cancellationToken);
        phase = Lap(CyclePhase.InsertRejected, phase);
        await RetryAsync(first, () => deltas.PublishAsync([.. cycle.Batches.Select(b => (b.Batch.Partition, b.Stored))], cancellationToken).AsTask(), cancellationToken);
        phase = Lap(CyclePhase.Publish, phase);
        // One partition's identities per write; written side by side, RocksDB syncs them in one group commit.
        await Task.WhenAll(cycle.Batches.Select(b => Task.Run(
            () => RetryAsync(b.Batch, () => index.AddAsync(b.Batch.Partition, [.. b.Stored.Select(e => KeyValuePair.Create(e.IdentityDigest, e.PayloadDigest))], b.Batch.NextPosition, cancellationToken).AsTask(), cancellationToken),
            CancellationToken.None)));
        phase = Lap(CyclePhase.IdentityAdd, phase);
        var revoked = new List<int>();
        foreach (var (batch, stored, resent, rejected) in cycle.Batches)
        {
            metrics.Stored(batch.Partition, stored.Count, resent, rejected);
            AggregatorLog.Stored(logger, batch.Partition, batch.FirstPosition, batch.NextPosition, stored.Count, resent, rejected);
            // Committing can fail too (the log's disk is full): retry it like a write, never give up the loop.
            var committed = false;
            await RetryAsync(batch, async () => committed = await consumer.CommitAsync(batch.Partition, batch.NextPosition, cancellationToken), cancellationToken);
            if (committed)
            {
                metrics.Committed(batch.Partition, batch.NextPosition - batch.FirstPosition);
            }
            else
            {
                revoked.Add(batch.Partition);
                AggregatorLog.Revoked(logger, batch.Partition, batch.NextPosition);
            }
        }

        Lap(CyclePhase.Commit, phase);
        return revoked;
    }

    /// <summary>The batch's events with their digests and positions; unreadable records go to <paramref name="rejected"/>.</summary>
    private static List<StoredEvent> Read(LogBatch batch, List<RejectedEvent> rejected)
    {
        var events = new List<StoredEvent>(batch.Records.Count);
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

        return events;
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
