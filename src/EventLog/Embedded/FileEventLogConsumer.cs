using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// The only consumer of its group on the embedded log: it owns every partition, starts each at the
/// group's committed position, and round-robins over partitions with data so none starves.
/// </summary>
internal sealed class FileEventLogConsumer : IEventLogConsumer
{
    private readonly string _group;
    private readonly PartitionCursor[] _cursors;
    private readonly GroupOffsets _offsets;
    private readonly AppendSignal _signal;
    private readonly TimeProvider _timeProvider;
    private readonly Action<string> _onClosed;
    private int _nextPartition;
    private int _disposed;

    public FileEventLogConsumer(
        string group,
        LogPartition[] partitions,
        GroupOffsets offsets,
        AppendSignal signal,
        TimeProvider timeProvider,
        Action<string> onClosed)
    {
        _group = group;
        _offsets = offsets;
        _signal = signal;
        _timeProvider = timeProvider;
        _onClosed = onClosed;
        // A group behind released segments starts at the oldest record left, as Kafka's earliest reset does.
        _cursors = [.. partitions.Select(p => new PartitionCursor(p, Math.Clamp(offsets.Get(p.Id), p.FirstPosition, p.DurableNext)))];
    }

    public async ValueTask<LogBatch?> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var started = _timeProvider.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Take the signal before looking, so an append landing in between still wakes us.
            var appended = _signal.Next;
            if (TryReadNext(maxRecords) is { } batch)
            {
                return batch;
            }

            if (maxWait == Timeout.InfiniteTimeSpan)
            {
                await appended.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var remaining = maxWait - _timeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await appended.WaitAsync(remaining, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    public ValueTask<bool> CommitAsync(int partition, long nextPosition, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (partition < 0 || partition >= _cursors.Length)
        {
            return ValueTask.FromResult(false);
        }

        var durable = _cursors[partition].Partition.DurableNext;
        if (nextPosition < 0 || nextPosition > durable)
        {
            throw new ArgumentOutOfRangeException(
                nameof(nextPosition), nextPosition, $"Partition {partition} of group '{_group}' has records up to position {durable}.");
        }

        _offsets.Commit(partition, nextPosition);
        return ValueTask.FromResult(true);
    }

    public ValueTask<long> GetCommittedAsync(int partition, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, _cursors.Length);
        return ValueTask.FromResult(_offsets.Get(partition));
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var cursor in _cursors)
            {
                cursor.Dispose();
            }

            _onClosed(_group);
        }

        return ValueTask.CompletedTask;
    }

    private LogBatch? TryReadNext(int maxRecords)
    {
        for (var i = 0; i < _cursors.Length; i++)
        {
            var cursor = _cursors[(_nextPartition + i) % _cursors.Length];
            if (cursor.HasData)
            {
                _nextPartition = (cursor.Partition.Id + 1) % _cursors.Length;
                return cursor.Read(maxRecords);
            }
        }

        return null;
    }
}
