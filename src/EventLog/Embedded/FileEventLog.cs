using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// The embedded event log: a durable, partitioned log of segment files under one directory, for running
/// Tally on one machine without Kafka. Appends from all callers are coalesced by one writer loop that
/// writes every pending record, fsyncs each touched partition once, and then completes the callers
/// (group commit). The partition count is fixed when the directory is first created, and only one
/// process (one instance) may have a directory open at a time.
/// </summary>
public sealed class FileEventLog : IEventLog
{
    /// <summary>Segment size used when none is given.</summary>
    public const long DefaultSegmentBytes = 256L * 1024 * 1024;

    private const int MaxRequestsPerCommit = 4096;
    private static readonly System.Text.RegularExpressions.Regex GroupName = new("^[A-Za-z0-9._-]{1,200}$");

    private readonly LogDirectory _directory;
    private readonly LogPartition[] _partitions;
    private readonly Channel<AppendRequest> _requests = Channel.CreateUnbounded<AppendRequest>(new() { SingleReader = true });
    private readonly AppendSignal _signal = new();
    private readonly HashSet<string> _openGroups = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Task _writer;
    private volatile Exception? _fault;
    private int _disposed;

    private FileEventLog(LogDirectory directory, LogPartition[] partitions, ILogger logger, TimeProvider timeProvider)
    {
        _directory = directory;
        _partitions = partitions;
        _logger = logger;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc />
    public int PartitionCount => _partitions.Length;

    /// <inheritdoc />
    public EventLogHealth Health => _fault is { } fault
        ? EventLogHealth.Unhealthy($"embedded event log in '{Directory}' stopped after a write failure: {fault.Message}")
        : EventLogHealth.Healthy($"embedded event log in '{Directory}'");

    /// <summary>The full path of the log directory.</summary>
    public string Directory => _directory.Path;

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>, recovering from a crash by truncating
    /// any torn record at the tail of each partition.
    /// </summary>
    /// <exception cref="IOException">The directory is already open by another process or instance.</exception>
    /// <exception cref="InvalidOperationException">The directory was created with another partition count.</exception>
    public static FileEventLog Open(
        string directory,
        int partitions,
        long segmentBytes = DefaultSegmentBytes,
        ILogger? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        logger ??= NullLogger.Instance;
        var root = LogDirectory.Open(directory, partitions);
        var opened = new List<LogPartition>(partitions);
        try
        {
            for (var i = 0; i < partitions; i++)
            {
                opened.Add(LogPartition.Open(i, root.PartitionPath(i), segmentBytes, logger));
            }
        }
        catch
        {
            opened.ForEach(p => p.Dispose());
            root.Dispose();
            throw;
        }

        EventLogLog.FileLogOpened(logger, root.Path, partitions, opened.Sum(p => p.DurableNext));
        return new FileEventLog(root, [.. opened], logger, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public async ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (records.Count == 0)
        {
            return;
        }

        foreach (var record in records)
        {
            RecordFrame.Validate(record);
        }

        ThrowIfFaulted();
        var request = new AppendRequest(records);
        if (!_requests.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(FileEventLog));
        }

        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The embedded log gives one consumer every partition, so a group has at most one open consumer.</remarks>
    public IEventLogConsumer OpenConsumer(string group)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (group is null || !GroupName.IsMatch(group))
        {
            throw new ArgumentException($"Consumer group '{group}' must be 1-200 characters of A-Z, a-z, 0-9, '.', '_' or '-'.", nameof(group));
        }

        lock (_openGroups)
        {
            if (!_openGroups.Add(group))
            {
                throw new InvalidOperationException(
                    $"Consumer group '{group}' already has an open consumer on the embedded log in '{Directory}'; it gives one consumer all partitions.");
            }
        }

        try
        {
            var offsets = GroupOffsets.Load(_directory.GroupsPath, group, _partitions.Length);
            return new FileEventLogConsumer(group, _partitions, offsets, _signal, _timeProvider, ReleaseGroup);
        }
        catch
        {
            ReleaseGroup(group);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _requests.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        foreach (var partition in _partitions)
        {
            partition.Dispose();
        }

        _directory.Dispose();
    }

    private void ReleaseGroup(string group)
    {
        lock (_openGroups)
        {
            _openGroups.Remove(group);
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw new IOException($"The embedded event log in '{Directory}' stopped after a write failure; reopen it to recover.", fault);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<AppendRequest>();
        var touched = new bool[_partitions.Length];
        var reader = _requests.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxRequestsPerCommit && reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            try
            {
                ThrowIfFaulted();
                foreach (var request in batch)
                {
                    foreach (var record in request.Records)
                    {
                        var partition = KeyPartitioner.ForKey(record.Key, _partitions.Length);
                        _partitions[partition].Append(record);
                        touched[partition] = true;
                    }
                }

                for (var i = 0; i < touched.Length; i++)
                {
                    if (touched[i])
                    {
                        _partitions[i].Flush();
                        touched[i] = false;
                    }
                }

                _signal.Pulse();
                batch.ForEach(r => r.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                // Buffered but unwritten bytes would leave the partition state unknown; stop accepting
                // appends rather than guess. Reopening re-scans the files and truncates any torn tail.
                if (_fault is null)
                {
                    EventLogLog.FileLogWriteFailed(_logger, ex, Directory);
                }

                _fault ??= ex;
                Array.Clear(touched);
                _signal.Pulse();
                batch.ForEach(r => r.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }

    private sealed class AppendRequest(IReadOnlyList<LogRecord> records)
    {
        public IReadOnlyList<LogRecord> Records { get; } = records;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
