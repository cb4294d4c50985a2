using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;

namespace Tally.Rating.Live;

/// <summary>One customer's share of a delta batch: the grain it goes to and its deltas in log order.</summary>
public sealed record CustomerDeltas(string GrainKey, IReadOnlyList<UsageDelta> Deltas);

/// <summary>
/// Moves delta batches from a consumer to the grains with several batches in flight: it reads, decodes
/// and routes the next batch while the grains apply earlier ones, and commits each partition's position
/// only past batches every grain has applied, in read order.
/// <list type="bullet">
/// <item>A grain gets its calls in log order, one at a time: a call waits for the same grain's previous
/// call, and is not made at all when that one failed. A grain's watermarks skip any event at or below the
/// last one applied, so a later delta overtaking an earlier one would make the earlier one look applied.</item>
/// <item>A failure stops reading; once everything in flight has settled, each partition's committed prefix is
/// committed and the batches after it are applied again one at a time, in order, until each succeeds (the
/// grains skip what they already hold). A crash replays from the committed positions, so nothing is lost
/// and nothing counts twice.</item>
/// </list>
/// </summary>
public sealed class UsageDeltaPipeline(
    Func<LogBatch, CancellationToken, Task<IReadOnlyList<CustomerDeltas>>> route,
    Func<CustomerDeltas, Task> apply,
    UsageDeltaPipelineOptions options,
    TimeProvider clock,
    ILogger logger)
{
    // Per partition, the batches read and not yet committed, in read order.
    private readonly Dictionary<int, Queue<InFlight>> _partitions = [];

    // Per grain, its last call from this pipeline.
    private readonly Dictionary<string, Task> _lastCalls = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>
    /// Runs until <paramref name="stoppingToken"/> is cancelled, then throws <see cref="OperationCanceledException"/>;
    /// what is in flight then is left uncommitted, to the next start.
    /// </summary>
    public async Task RunAsync(IEventLogConsumer consumer, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                await StepAsync(consumer, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The log itself failed (Kafka away, a topic lost and not yet back): nothing read is lost, what was
                // applied and not committed is committed by a later step or replayed by the next start.
                RatingLog.DeltaLogFailed(logger, ex);
                await Task.Delay(options.RetryPause, clock, stoppingToken);
            }
        }
    }

    /// <summary>Commits what was applied, recovers from a failed batch, or reads and dispatches the next batch.</summary>
    private async Task StepAsync(IEventLogConsumer consumer, CancellationToken stoppingToken)
    {
        await CommitAppliedAsync(consumer, stoppingToken);
        if (_partitions.Values.Any(q => q.Any(b => b.Applied.IsFaulted || b.Applied.IsCanceled)))
        {
            await RecoverAsync(consumer, stoppingToken);
            return;
        }

        if (_inFlight >= options.BatchesInFlight)
        {
            await WhenAnyPendingAsync(null, stoppingToken);
            return;
        }

        var batch = await consumer.ReadAsync(options.BatchRecords, _inFlight == 0 ? options.Wait : TimeSpan.Zero, stoppingToken);
        if (batch is null)
        {
            if (_inFlight > 0)
            {
                await WhenAnyPendingAsync(options.Wait, stoppingToken);
            }

            return;
        }

        var routed = await RouteAsync(batch, stoppingToken);
        Enqueue(new InFlight(batch, Dispatch(routed)));
    }

    private async Task<IReadOnlyList<CustomerDeltas>> RouteAsync(LogBatch batch, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await route(batch, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RatingLog.DeltaBatchFailed(logger, ex, batch.Partition, batch.FirstPosition);
                await Task.Delay(options.RetryPause, clock, stoppingToken);
            }
        }
    }

    private Task Dispatch(IReadOnlyList<CustomerDeltas> routed)
    {
        if (_inFlight == 0)
        {
            _lastCalls.Clear();
        }
        else if (_lastCalls.Count > 4 * options.BatchRecords)
        {
            foreach (var done in _lastCalls.Where(c => c.Value.IsCompletedSuccessfully).Select(c => c.Key).ToList())
            {
                _lastCalls.Remove(done);
            }
        }

        var calls = new Task[routed.Count];
        for (var i = 0; i < routed.Count; i++)
        {
            var share = routed[i];
            calls[i] = _lastCalls.TryGetValue(share.GrainKey, out var previous) && !previous.IsCompletedSuccessfully
                ? AfterAsync(previous, share)
                : apply(share);
            _lastCalls[share.GrainKey] = calls[i];
        }

        return Task.WhenAll(calls);
    }

    // Throws, without calling the grain, when the grain's previous call failed.
    private async Task AfterAsync(Task previous, CustomerDeltas share)
    {
        await previous;
        await apply(share);
    }

    private void Enqueue(InFlight batch)
    {
        if (!_partitions.TryGetValue(batch.Batch.Partition, out var queue))
        {
            _partitions[batch.Batch.Partition] = queue = new Queue<InFlight>();
        }

        queue.Enqueue(batch);
        _inFlight++;
    }

    private IEnumerable<Task> Pending() => _partitions.Values.SelectMany(q => q).Select(b => b.Applied).Where(t => !t.IsCompleted);

    /// <summary>
    /// Waits until a batch in flight settles, or <paramref name="wait"/> passes. Returns at once when none is pending
    /// any more: one settled since the step began (the next step commits or recovers it). Task.WhenAny of nothing
    /// would throw, and the pipeline would take that for a failure of the log and pause.
    /// </summary>
    private Task WhenAnyPendingAsync(TimeSpan? wait, CancellationToken stoppingToken)
    {
        var pending = Pending().ToList();
        if (pending.Count == 0)
        {
            return Task.CompletedTask;
        }

        var any = Task.WhenAny(pending);
        return wait is { } time ? Task.WhenAny(any, Task.Delay(time, clock, stoppingToken)) : any.WaitAsync(stoppingToken);
    }

    /// <summary>Commits, per partition, the end of the longest run of applied batches at its head.</summary>
    private async Task CommitAppliedAsync(IEventLogConsumer consumer, CancellationToken stoppingToken)
    {
        foreach (var (partition, queue) in _partitions)
        {
            // The run of applied batches at the head leaves the queue only once its commit is taken.
            var applied = queue.TakeWhile(b => b.Applied.IsCompletedSuccessfully).ToList();
            if (applied.Count > 0)
            {
                await consumer.CommitAsync(partition, applied[^1].Batch.NextPosition, stoppingToken);
                for (var i = 0; i < applied.Count; i++)
                {
                    queue.Dequeue();
                    _inFlight--;
                }
            }
        }
    }

    private async Task RecoverAsync(IEventLogConsumer consumer, CancellationToken stoppingToken)
    {
        var applied = _partitions.Values.SelectMany(q => q).ToList();
        await Task.WhenAll(applied.Select(b => b.Applied)).WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stoppingToken.ThrowIfCancellationRequested();
        if (applied.FirstOrDefault(b => !b.Applied.IsCompletedSuccessfully) is { } failed)
        {
            RatingLog.DeltaBatchFailed(logger, failed.Applied.Exception?.GetBaseException() ?? new TaskCanceledException(failed.Applied), failed.Batch.Partition, failed.Batch.FirstPosition);
        }

        await CommitAppliedAsync(consumer, stoppingToken);
        _lastCalls.Clear();
        foreach (var (partition, queue) in _partitions)
        {
            while (queue.TryDequeue(out var left))
            {
                _inFlight--;
                await ApplyAgainAsync(left.Batch, stoppingToken);
                await consumer.CommitAsync(partition, left.Batch.NextPosition, stoppingToken);
            }
        }
    }

    private async Task ApplyAgainAsync(LogBatch batch, CancellationToken stoppingToken)
    {
        var failed = false;
        while (true)
        {
            if (failed)
            {
                await Task.Delay(options.RetryPause, clock, stoppingToken);
            }

            try
            {
                var routed = await route(batch, stoppingToken);
                await Task.WhenAll(routed.Select(apply));
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RatingLog.DeltaBatchFailed(logger, ex, batch.Partition, batch.FirstPosition);
                failed = true;
            }
        }
    }

    private sealed record InFlight(LogBatch Batch, Task Applied);
}

/// <summary>How <see cref="UsageDeltaPipeline"/> reads: records per batch, batches in flight, how long a read waits, the pause before a retry.</summary>
public sealed record UsageDeltaPipelineOptions(int BatchRecords, int BatchesInFlight, TimeSpan Wait, TimeSpan RetryPause);
