using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Kafka;

/// <summary>
/// A Kafka group member. librdkafka's blocking calls run on the thread pool in short slices so
/// cancellation is honored; records of a revoked partition are dropped from the buffer because the
/// partition's new owner resumes from the committed position.
/// </summary>
internal sealed class KafkaEventLogConsumer : IEventLogConsumer
{
    private static readonly TimeSpan ConsumeSlice = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private readonly string _topic;
    private readonly string _group;
    private readonly ILogger _logger;
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly SemaphoreSlim _consumeGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly HashSet<int> _assigned = [];
    private readonly SortedDictionary<int, Queue<StoredRecord>> _buffered = [];
    private int _nextPartition;
    private int _disposed;

    public KafkaEventLogConsumer(KafkaOptions options, string group, ILogger logger)
    {
        _topic = options.Topic;
        _group = group;
        _logger = logger;
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Settings))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        };
        _consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) => EventLogLog.ConsumerError(_logger, _group, error.Code.ToString(), error.Reason))
            .SetLogHandler((_, message) => EventLogLog.Librdkafka(_logger, message.Facility, message.Message))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions.Select(p => p.TopicPartition)))
            .Build();
        _consumer.Subscribe(_topic);
    }

    public async ValueTask<LogBatch?> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _consumeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return TakeBatch(maxRecords)
                ?? await Task.Run(() => ConsumeUntilBatch(maxRecords, maxWait, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _consumeGate.Release();
        }
    }

    public async ValueTask<bool> CommitAsync(int partition, long nextPosition, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            if (!_assigned.Contains(partition))
            {
                return false;
            }
        }

        var offset = KafkaRecordMapper.ToCommitOffset(_topic, partition, nextPosition);
        var commit = Task.Run(() => _consumer.Commit([offset]), CancellationToken.None);
        try
        {
            // librdkafka holds a synchronous commit back while the group rebalances, and the rebalance
            // waits for this member to poll: unbounded, the two wait for each other.
            await commit.WaitAsync(RequestTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            _ = commit.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            EventLogLog.CommitRefused(_logger, partition, nextPosition, _group, $"not confirmed within {RequestTimeout.TotalSeconds:0} s (the group is probably rebalancing)");
            return false;
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration
            or ErrorCode.UnknownMemberId or ErrorCode.Local_State or ErrorCode.Local_UnknownPartition)
        {
            EventLogLog.CommitRefused(_logger, partition, nextPosition, _group, ex.Error.Reason);
            return false;
        }
    }

    public async ValueTask<long> GetCommittedAsync(int partition, CancellationToken cancellationToken)
    {
        var committed = await Task.Run(
            () => _consumer.Committed([new TopicPartition(_topic, partition)], RequestTimeout),
            cancellationToken).ConfigureAwait(false);
        return KafkaRecordMapper.ToPosition(committed.Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _consumeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Close leaves the group at once, so the remaining members (or the next consumer) get the
            // partitions without waiting for a session timeout.
            var close = Task.Run(_consumer.Close);
            if (await Task.WhenAny(close, Task.Delay(CloseTimeout)).ConfigureAwait(false) != close)
            {
                // Disposing the handle under a running close would free it from under librdkafka; the
                // handle is left to the process instead, and the group reassigns after the session timeout.
                EventLogLog.CloseTimedOut(_logger, _group, CloseTimeout.TotalSeconds);
                return;
            }

            await close.ConfigureAwait(false);
            _consumer.Dispose();
        }
        finally
        {
            _consumeGate.Dispose();
        }
    }

    private LogBatch? ConsumeUntilBatch(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var infinite = maxWait == Timeout.InfiniteTimeSpan;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = infinite ? ConsumeSlice : maxWait - Stopwatch.GetElapsedTime(started);
            var result = _consumer.Consume(remaining < ConsumeSlice ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : ConsumeSlice);
            if (result is not null)
            {
                Buffer(result);

                // Take what librdkafka already fetched so one call can fill a whole batch.
                for (var drained = 1; drained < maxRecords && (result = _consumer.Consume(TimeSpan.Zero)) is not null; drained++)
                {
                    Buffer(result);
                }

                if (TakeBatch(maxRecords) is { } batch)
                {
                    return batch;
                }
            }

            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }
        }
    }

    private void Buffer(ConsumeResult<string, byte[]> result)
    {
        var record = KafkaRecordMapper.ToStoredRecord(result);
        lock (_gate)
        {
            if (!_assigned.Contains(record.Partition))
            {
                return;
            }

            if (!_buffered.TryGetValue(record.Partition, out var queue))
            {
                _buffered[record.Partition] = queue = new Queue<StoredRecord>();
            }

            queue.Enqueue(record);
        }
    }

    private LogBatch? TakeBatch(int maxRecords)
    {
        lock (_gate)
        {
            var partitions = _buffered.Where(p => p.Value.Count > 0).Select(p => p.Key).ToList();
            if (partitions.Count == 0)
            {
                return null;
            }

            // Round-robin: the first partition with data at or after the one after the last served.
            var partition = partitions.FirstOrDefault(p => p >= _nextPartition, partitions[0]);
            _nextPartition = partition + 1;
            var queue = _buffered[partition];
            var records = new List<StoredRecord>(Math.Min(maxRecords, queue.Count));
            while (records.Count < maxRecords && queue.TryPeek(out var next)
                && (records.Count == 0 || next.Position == records[^1].Position + 1))
            {
                records.Add(queue.Dequeue());
            }

            return new LogBatch(partition, records[0].Position, records[^1].Position + 1, records);
        }
    }

    private void OnAssigned(IEnumerable<TopicPartition> partitions)
    {
        string assigned;
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _assigned.Add(partition.Partition.Value);
            }

            assigned = string.Join(',', _assigned.Order());
        }

        EventLogLog.PartitionsAssigned(_logger, _group, assigned, _topic);
    }

    private void OnRevoked(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _assigned.Remove(partition.Partition.Value);
                _buffered.Remove(partition.Partition.Value);
            }
        }
    }
}
