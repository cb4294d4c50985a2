using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;

namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// Produces the ingest buffer's records to Kafka, in buffer order, and records how far Kafka acknowledged them.
/// </summary>
/// <remarks>
/// <para>
/// A session connects a fresh idempotent producer (<c>acks=all</c>), opens the buffer's one consumer group
/// (<see cref="Group"/>) at its committed positions, and then reads batches of one partition at a time and
/// produces them, several batches in flight. A batch's position is committed (durably: the group's offsets file)
/// only once Kafka acknowledged every record of it and of every batch read before it, and only then are the
/// segments it finishes deleted. So the committed position never passes a record Kafka may not have.
/// </para>
/// <para>
/// Any failed delivery (Kafka unreachable past the delivery timeout, a fatal producer error) ends the session
/// without committing anything after the last fully acknowledged batch; the next session, after a pause that
/// doubles up to 10 s, starts again from the committed positions with a new producer. Records Kafka had taken
/// but not acknowledged in time are then sent twice, as are those of a batch acknowledged just before a crash:
/// a duplicate, never a loss, and the aggregator counts an event once per identity.
/// </para>
/// <para>
/// Order: one buffer partition's records are produced in position order by one idempotent producer, which keeps
/// the order of each Kafka partition; with as many buffer partitions as topic partitions (how the buffer is
/// created) and the same key hash, buffer partition <c>p</c> feeds topic partition <c>p</c> alone.
/// </para>
/// </remarks>
internal sealed class KafkaForwarder : IAsyncDisposable
{
    /// <summary>The buffer's consumer group: its committed positions are the forwarded positions.</summary>
    public const string Group = "kafka-forwarder";

    private const int BatchRecords = 2_000;
    private const int BatchesInFlight = 32;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopFlush = TimeSpan.FromSeconds(5);

    private readonly FileEventLog _buffer;
    private readonly string _topic;
    private readonly Func<Action<bool>, KafkaForwardingProducer> _connect;
    private readonly ForwardingProgress _progress;
    private readonly IngestBufferMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public KafkaForwarder(
        FileEventLog buffer,
        string topic,
        Func<Action<bool>, KafkaForwardingProducer> connect,
        ForwardingProgress progress,
        IngestBufferMetrics metrics,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _buffer = buffer;
        _topic = topic;
        _connect = connect;
        _progress = progress;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops forwarding: in-flight deliveries get a few seconds to be acknowledged and committed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _progress.State = ForwardingState.Stopped;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var pause = FirstPause;
        while (!_stop.IsCancellationRequested)
        {
            var before = _progress.ForwardedRecords;
            string? failure;
            try
            {
                failure = await RunSessionAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failure = ex.Message;
            }

            if (failure is null)
            {
                return;
            }

            if (_progress.ForwardedRecords != before)
            {
                pause = FirstPause;
            }

            _progress.Failed(failure);
            EventLogLog.ForwardingFailed(_logger, failure, Pending(), pause.TotalSeconds);
            try
            {
                await Task.Delay(pause, _timeProvider, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <summary>One producer's session; returns why it failed, or null when it was stopped.</summary>
    private async Task<string?> RunSessionAsync(CancellationToken stop)
    {
        _progress.State = ForwardingState.Connecting;
        using var producer = await Task.Run(() => _connect(_progress.Reachable), stop).ConfigureAwait(false);
        var consumer = _buffer.OpenConsumer(Group);
        await using (consumer.ConfigureAwait(false))
        {
            var start = new long[_buffer.PartitionCount];
            for (var p = 0; p < start.Length; p++)
            {
                start[p] = await consumer.GetCommittedAsync(p, stop).ConfigureAwait(false);

                // Segments a previous run forwarded but did not get to delete.
                await _buffer.ReleaseAsync(p, start[p], stop).ConfigureAwait(false);
            }

            EventLogLog.ForwardingStarted(_logger, _topic, producer.PartitionCount, string.Join(',', start));
            _progress.State = ForwardingState.Forwarding;
            using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var inFlight = Channel.CreateBounded<InFlightBatch>(new BoundedChannelOptions(BatchesInFlight) { SingleReader = true, SingleWriter = true });
            var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var settling = SettleAsync(inFlight.Reader, consumer, abandoned.Task, session);
            string? failure = null;
            try
            {
                while (true)
                {
                    if (await consumer.ReadAsync(BatchRecords, Timeout.InfiniteTimeSpan, session.Token).ConfigureAwait(false) is not { } batch)
                    {
                        continue;
                    }

                    var deliveries = new Deliveries(batch.Records.Count);
                    foreach (var record in batch.Records)
                    {
                        await producer.ProduceAsync(record, deliveries.Delivered, session.Token).ConfigureAwait(false);
                    }

                    await inFlight.Writer.WriteAsync(new InFlightBatch(batch, deliveries), session.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (session.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                failure = ex.Message;
                await session.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                inFlight.Writer.TryComplete();
                if (stop.IsCancellationRequested)
                {
                    // Stopping: let what Kafka is about to acknowledge be committed, so fewer records go twice.
                    await Task.Run(() => producer.Flush(StopFlush), CancellationToken.None).ConfigureAwait(false);
                }

                // Deliveries still open now may never be reported once the producer is gone: not committed, sent again.
                abandoned.TrySetResult();
            }

            var settled = await settling.ConfigureAwait(false);
            return stop.IsCancellationRequested ? null : failure ?? settled ?? producer.Fatal ?? "the session ended";
        }
    }

    /// <summary>
    /// Commits batches in the order they were read, each once all its records were acknowledged; stops at the first
    /// failed one (cancelling the session) and returns its reason, or null when the session ended without one.
    /// Batches still unacknowledged when the session is <paramref name="abandoned"/> are left uncommitted.
    /// </summary>
    private async Task<string?> SettleAsync(ChannelReader<InFlightBatch> inFlight, IEventLogConsumer consumer, Task abandoned, CancellationTokenSource session)
    {
        // Acknowledged batches not yet committed: while the next one is acknowledged too, they are committed together.
        var reached = new Dictionary<int, (long Position, long Records)>();
        try
        {
            while (await inFlight.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                inFlight.TryPeek(out var head);
                if (await Task.WhenAny(head!.Deliveries.Task, abandoned).ConfigureAwait(false) != head.Deliveries.Task)
                {
                    break;
                }

                inFlight.TryRead(out _);
                if (await head.Deliveries.Task.ConfigureAwait(false) is { } failure)
                {
                    await CommitAsync(consumer, reached).ConfigureAwait(false);
                    await session.CancelAsync().ConfigureAwait(false);
                    return failure;
                }

                var batch = head.Batch;
                reached[batch.Partition] = (batch.NextPosition, (reached.TryGetValue(batch.Partition, out var earlier) ? earlier.Records : 0) + batch.Records.Count);
                if (!inFlight.TryPeek(out var next) || !next.Deliveries.Task.IsCompleted)
                {
                    await CommitAsync(consumer, reached).ConfigureAwait(false);
                }
            }

            await CommitAsync(consumer, reached).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            await session.CancelAsync().ConfigureAwait(false);
            return ex.Message;
        }
    }

    private async Task CommitAsync(IEventLogConsumer consumer, Dictionary<int, (long Position, long Records)> reached)
    {
        foreach (var (partition, (position, records)) in reached)
        {
            await consumer.CommitAsync(partition, position, CancellationToken.None).ConfigureAwait(false);
            await _buffer.ReleaseAsync(partition, position, CancellationToken.None).ConfigureAwait(false);
            _progress.Advance(partition, position, records);
            _metrics.Forwarded(records);
        }

        reached.Clear();
    }

    private long Pending()
    {
        var ends = _buffer.EndPositions();
        return Enumerable.Range(0, ends.Length).Sum(p => Math.Max(0, ends[p] - _progress.Forwarded(p)));
    }

    private sealed record InFlightBatch(LogBatch Batch, Deliveries Deliveries);

    /// <summary>Counts one batch's delivery reports; completes with the first failure's reason, or null.</summary>
    private sealed class Deliveries(int count)
    {
        private readonly TaskCompletionSource<string?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = count;
        private string? _failure;

        public Task<string?> Task => _done.Task;

        public void Delivered(string? failure)
        {
            if (failure is not null)
            {
                Interlocked.CompareExchange(ref _failure, failure, null);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult(Volatile.Read(ref _failure));
            }
        }
    }
}
