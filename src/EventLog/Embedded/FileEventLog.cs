using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Billing;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// The embedded event log: a durable, partitioned log of segment files under one directory, for running
/// Tally on one machine without Kafka. The partition count is fixed when the directory is first created,
/// and only one process (one instance) may have a directory open at a time.
/// </summary>
/// <remarks>
/// <para>
/// Group commit, all or nothing: one writer loop coalesces the pending appends, writes every record to its
/// partition and fsyncs each touched partition, then appends one fixed-size, CRC-protected entry (a sequence
/// number and every partition's new end position) to the commit journal (<see cref="CommitJournal"/>) and
/// fsyncs it. Only then are the new end positions published to consumers and the callers completed. The
/// journal entry is the single commit point: a group's records span several partitions, and no order of
/// per-partition fsyncs could make them appear together. Opening cuts every partition back to the last valid
/// entry, so records of a group that never committed (a crash, SIGKILL or power loss anywhere before the
/// entry was written) never become visible. The cost is one small extra fsync per group.
/// </para>
/// <para>
/// Failures heal: when any step fails (a full disk raises <see cref="StorageFullException"/>, anything else an
/// <see cref="IOException"/>), the writer truncates the touched partitions back to their committed lengths and
/// deletes segments rolled meanwhile (neither needs free space), cuts a written journal entry again, and fails
/// the group's callers; nothing of it was stored. The next group starts from that known state (finishing a
/// rollback or rewriting the journal first if that failed too), so the log serves again as soon as the disk
/// allows, without a restart. A directory written by an earlier version has no journal: its contents count as
/// committed, and the first group writes the journal before any record.
/// </para>
/// <para>
/// Used as the ingest gateway's buffer in front of Kafka, the log has a capacity (an append that would grow its
/// files past it is refused whole with <see cref="EventLogFullException"/>) and its one reader releases what it has
/// passed on (<see cref="ReleaseAsync"/>), which deletes whole segments.
/// </para>
/// </remarks>
public sealed class FileEventLog : IEventLog, IEventLogProgress
{
    /// <summary>Segment size used when none is given.</summary>
    public const long DefaultSegmentBytes = 256L * 1024 * 1024;

    private const int MaxRequestsPerCommit = 4096;
    private const long MinProbeBytes = 4096;
    private const long MaxProbeBytes = 64L * 1024 * 1024;
    private static readonly System.Text.RegularExpressions.Regex GroupName = new("^[A-Za-z0-9._-]{1,200}$");

    private readonly LogDirectory _directory;
    private readonly GroupCommitter _committer;
    private readonly LogPartition[] _partitions;
    private readonly Channel<AppendRequest> _requests = Channel.CreateUnbounded<AppendRequest>(new() { SingleReader = true });
    private readonly AppendSignal _signal = new();
    private readonly HashSet<string> _openGroups = new(StringComparer.Ordinal);
    private readonly Lock _probeGate = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(int Partition, long Position)> _releases = new();
    private readonly long? _capacityBytes;
    private readonly Task _writer;
    private volatile Exception? _fault;
    private long _failedBytes;
    private Task _probe = Task.CompletedTask;
    private int _disposed;

    private FileEventLog(LogDirectory directory, GroupCommitter committer, WriteSteps steps, ILogger logger, TimeProvider timeProvider, long? capacityBytes)
    {
        _directory = directory;
        _capacityBytes = capacityBytes;
        _committer = committer;
        _partitions = committer.Partitions;
        Steps = steps;
        _logger = logger;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc />
    public int PartitionCount => _partitions.Length;

    /// <inheritdoc />
    /// <remarks>
    /// Not ready from a failed write until a write succeeds. An unready instance gets no appends from behind
    /// a load balancer, so it could never heal by one: asking for health while unready therefore also starts a
    /// probe on the writer (finish any rollback, then reserve the failed group's size on disk), and a later
    /// call reports ready once the probe succeeded. Appends are never refused for being unready.
    /// </remarks>
    public EventLogHealth Health
    {
        get
        {
            if (_fault is not { } fault)
            {
                return EventLogHealth.Healthy($"embedded event log in '{Directory}'");
            }

            _ = ProbeAsync();
            return EventLogHealth.Unhealthy($"embedded event log in '{Directory}' failed its last write and retries with the next one: {fault.Message}");
        }
    }

    /// <summary>Records committed so far, over all partitions (for tests and telemetry).</summary>
    internal long RecordCount => _partitions.Sum(p => p.DurableNext);

    /// <summary>Bytes in the log's segment files, over all partitions (approximate while a group is being written).</summary>
    public long SizeInBytes => _committer.SizeInBytes;

    /// <summary>The capacity given at open, or null for none.</summary>
    public long? CapacityBytes => _capacityBytes;

    /// <summary>The full path of the log directory.</summary>
    public string Directory => _directory.Path;

    /// <summary>Test seam: see <see cref="WriteSteps"/>.</summary>
    internal WriteSteps Steps { get; }

    /// <summary>Journal size past which it is compacted; for tests.</summary>
    internal long JournalCompactBytes
    {
        get => _committer.JournalCompactBytes;
        set => _committer.JournalCompactBytes = value;
    }

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>, recovering from a crash by cutting every
    /// partition back to its last committed record and any torn record at its tail.
    /// </summary>
    /// <exception cref="IOException">The directory is already open by another process or instance.</exception>
    /// <exception cref="InvalidOperationException">The directory was created with another partition count.</exception>
    /// <param name="directory">The log's directory, created when absent.</param>
    /// <param name="partitions">Partitions of a new log; an existing one must have been created with as many.</param>
    /// <param name="segmentBytes">Size past which a partition rolls to a new segment file.</param>
    /// <param name="logger">Where recovery and write failures are logged.</param>
    /// <param name="timeProvider">The consumers' clock for waits.</param>
    /// <param name="capacityBytes">When set, appends that would grow the segment files past it are refused.</param>
    public static FileEventLog Open(
        string directory,
        int partitions,
        long segmentBytes = DefaultSegmentBytes,
        ILogger? logger = null,
        TimeProvider? timeProvider = null,
        long? capacityBytes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        if (capacityBytes is { } capacity)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        }

        logger ??= NullLogger.Instance;
        var root = LogDirectory.Open(directory, partitions);
        var steps = new WriteSteps();
        GroupCommitter committer;
        try
        {
            committer = GroupCommitter.Open(root, partitions, segmentBytes, steps, logger);
        }
        catch
        {
            root.Dispose();
            throw;
        }

        EventLogLog.FileLogOpened(logger, root.Path, partitions, committer.Partitions.Sum(p => p.DurableNext));
        return new FileEventLog(root, committer, steps, logger, timeProvider ?? TimeProvider.System, capacityBytes);
    }

    /// <summary>
    /// The partition count a log directory was created with, or null when <paramref name="directory"/> holds no log yet.
    /// </summary>
    public static int? StoredPartitionCount(string directory) => LogDirectory.StoredPartitionCount(directory);

    /// <inheritdoc />
    /// <remarks>
    /// All or nothing: when this throws <see cref="StorageFullException"/> (full disk), <see cref="EventLogFullException"/>
    /// (past the capacity) or <see cref="IOException"/>, none of <paramref name="records"/> was stored. Only a cancelled
    /// wait leaves the outcome open.
    /// </remarks>
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

        var request = new AppendRequest(records);
        if (!_requests.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(FileEventLog));
        }

        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells the log that its one reader has passed on every record of <paramref name="partition"/> before
    /// <paramref name="position"/>: segments holding only such records are deleted (and a drained active segment of
    /// at least a quarter of the segment size is sealed so it can go too). Completes once the writer has done so.
    /// Only for a log with a single reader that has committed that far; other readers could no longer read them.
    /// </summary>
    public async ValueTask ReleaseAsync(int partition, long position, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, _partitions.Length);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _releases.Enqueue((partition, position));

        // An empty request wakes the writer, which applies releases before each group.
        var wake = new AppendRequest([]);
        if (_requests.Writer.TryWrite(wake))
        {
            await wake.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every partition's committed end.</summary>
    internal long[] EndPositions() => [.. _partitions.Select(p => p.DurableNext)];

    /// <summary>Every partition's committed position of <paramref name="group"/>.</summary>
    internal long[] CommittedPositions(string group)
    {
        var offsets = GroupOffsets.Load(_directory.GroupsPath, group, _partitions.Length);
        return [.. Enumerable.Range(0, _partitions.Length).Select(offsets.Get)];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<long>> GetEndPositionsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<long>>([.. _partitions.Select(p => p.DurableNext)]);

    /// <inheritdoc />
    /// <remarks>Reads the group's positions file, which the open consumer (in this or another process) replaces atomically on each commit.</remarks>
    public ValueTask<IReadOnlyList<long>> GetCommittedPositionsAsync(string group, CancellationToken cancellationToken)
    {
        var offsets = GroupOffsets.Load(_directory.GroupsPath, group, _partitions.Length);
        return ValueTask.FromResult<IReadOnlyList<long>>([.. Enumerable.Range(0, _partitions.Length).Select(offsets.Get)]);
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
        _committer.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// Has the writer check, while the log is unhealthy, whether it could write again (see <see cref="Health"/>);
    /// completes when that check ran. Does nothing while healthy.
    /// </summary>
    internal Task ProbeAsync()
    {
        lock (_probeGate)
        {
            if (!_probe.IsCompleted)
            {
                return _probe;
            }

            var probe = new AppendRequest([]);
            if (!_requests.Writer.TryWrite(probe))
            {
                return Task.CompletedTask;
            }

            _probe = probe.Done.Task;
            return _probe;
        }
    }

    private static IEnumerable<LogRecord> RecordsOf(List<AppendRequest> batch) => batch.SelectMany(r => r.Records);

    private void ReleaseGroup(string group)
    {
        lock (_openGroups)
        {
            _openGroups.Remove(group);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<AppendRequest>();
        var reader = _requests.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxRequestsPerCommit && reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            ApplyReleases();
            RefuseOverCapacity(batch);
            if (batch.Exists(r => r.Records.Count > 0))
            {
                Commit(batch);
            }
            else
            {
                Probe();
                batch.ForEach(r => r.Done.TrySetResult());
            }

            batch.Clear();
        }
    }

    private void Commit(List<AppendRequest> batch)
    {
        try
        {
            _committer.Commit(RecordsOf(batch));
        }
        catch (Exception ex)
        {
            var refusal = Refusal(ex);
            if (_fault is null)
            {
                EventLogLog.FileLogWriteFailed(_logger, ex, Directory);
            }

            _failedBytes = RecordsOf(batch).Sum(r => (long)RecordFrame.SizeOf(r));

            // Unhealthy before any caller hears of the failure.
            _fault = refusal;
            foreach (var request in batch)
            {
                if (request.Records.Count > 0)
                {
                    request.Done.TrySetException(refusal);
                }
                else
                {
                    request.Done.TrySetResult();
                }
            }

            return;
        }

        Recovered();
        _signal.Pulse();
        batch.ForEach(r => r.Done.TrySetResult());
    }

    private void ApplyReleases()
    {
        while (_releases.TryDequeue(out var release))
        {
            try
            {
                _partitions[release.Partition].Release(release.Position, _committer.SegmentBytes / 4);
            }
            catch (Exception ex)
            {
                // Only space is at stake: the segments stay until a later release deletes them.
                EventLogLog.ReleaseFailed(_logger, ex, release.Partition, Directory);
            }
        }
    }

    /// <summary>Fails (and drops from the group) every request that would take the files past the capacity; in arrival order.</summary>
    private void RefuseOverCapacity(List<AppendRequest> batch)
    {
        if (_capacityBytes is not { } capacity)
        {
            return;
        }

        var held = _committer.SizeInBytes;
        batch.RemoveAll(request =>
        {
            if (request.Records.Count == 0)
            {
                return false;
            }

            var bytes = request.Records.Sum(r => (long)RecordFrame.SizeOf(r));
            if (held + bytes <= capacity)
            {
                held += bytes;
                return false;
            }

            request.Done.TrySetException(new EventLogFullException(
                $"The event log in '{Directory}' holds {held} bytes and may hold {capacity}; the {bytes} bytes of this append were not stored."));
            return true;
        });
    }

    private void Probe()
    {
        if (_fault is null)
        {
            return;
        }

        try
        {
            _committer.Probe(Math.Clamp(_failedBytes, MinProbeBytes, MaxProbeBytes));
        }
        catch (Exception)
        {
            // Still failing; the fault from the last append stays what Health reports.
            return;
        }

        Recovered();
    }

    private void Recovered()
    {
        if (_fault is not null)
        {
            _fault = null;
            EventLogLog.FileLogRecovered(_logger, Directory);
        }
    }

    private Exception Refusal(Exception failure) => DiskFull.IsCause(failure)
        ? new StorageFullException(
            "event log", $"The disk of the embedded event log in '{Directory}' is full; nothing of this append was stored.", failure)
        : new IOException($"The embedded event log in '{Directory}' could not write ({failure.Message}); nothing of this append was stored.", failure);
}
