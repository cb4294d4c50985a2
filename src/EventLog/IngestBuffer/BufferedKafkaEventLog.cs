using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;

namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// The event log of an ingest gateway in Kafka mode: an append is acknowledged once it is durable in a local buffer
/// (an embedded <see cref="FileEventLog"/>: fsync'd group commits, all or nothing across partitions), and
/// <see cref="KafkaForwarder"/> produces the buffered records to the Kafka topic in order, whether Kafka is fast,
/// slow or away. Consumers and progress read Kafka itself.
/// </summary>
/// <remarks>
/// The buffer is always in the path, not only while Kafka is slow: one path keeps each partition's order without a
/// hand-over between direct and buffered appends, and is the path every test and every day exercises. An append
/// that would take the buffer's files past its capacity is refused whole (<see cref="EventLogFullException"/>).
/// </remarks>
public sealed class BufferedKafkaEventLog : IEventLog, IEventLogProgress
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    // As long as the direct log's own requests may take, so a caller sees Kafka being away the same way.
    private static readonly TimeSpan ForwardedTimeout = TimeSpan.FromSeconds(30);

    private readonly FileEventLog _buffer;
    private readonly KafkaOptions _kafka;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ForwardingProgress _progress;
    private readonly PendingAges _ages;
    private readonly IngestBufferMetrics _metrics;
    private readonly KafkaForwarder _forwarder;
    private readonly Lock _directGate = new();
    private KafkaEventLog? _direct;
    private long _sizeWhenFull = -1;
    private int _disposed;

    private BufferedKafkaEventLog(FileEventLog buffer, KafkaOptions kafka, ILoggerFactory loggers, TimeProvider timeProvider, IMeterFactory? meterFactory)
    {
        _buffer = buffer;
        _kafka = kafka;
        _loggers = loggers;
        _logger = loggers.CreateLogger<BufferedKafkaEventLog>();
        _timeProvider = timeProvider;
        _progress = new ForwardingProgress(buffer.CommittedPositions(KafkaForwarder.Group));
        _ages = new PendingAges(timeProvider.GetUtcNow(), buffer.EndPositions());
        _metrics = new IngestBufferMetrics(meterFactory, () => Pending, () => _buffer.SizeInBytes, () => OldestPendingAge.TotalSeconds, () => _progress.KafkaReachable == false ? 0 : 1);
        var forwarderLogger = loggers.CreateLogger<KafkaForwarder>();
        _forwarder = new KafkaForwarder(
            buffer,
            kafka.Topic,
            reachable => KafkaForwardingProducer.Connect(kafka, ConnectTimeout, reachable, forwarderLogger),
            _progress,
            _metrics,
            timeProvider,
            forwarderLogger);
        EventLogLog.BufferOpened(_logger, buffer.Directory, buffer.PartitionCount, Pending, kafka.Topic, MaxBytes);
        _forwarder.Start();
    }

    /// <summary>Partitions of the buffer: the topic's count when the buffer was created.</summary>
    public int PartitionCount => _buffer.PartitionCount;

    /// <summary>The buffer's directory.</summary>
    public string Directory => _buffer.Directory;

    /// <summary>Bytes of the buffer's segment files (forwarded segments not yet deleted included).</summary>
    public long SizeInBytes => _buffer.SizeInBytes;

    /// <summary>The most bytes the buffer's files may hold.</summary>
    public long MaxBytes => _buffer.CapacityBytes!.Value;

    /// <summary>Records acknowledged to clients that Kafka has not acknowledged yet.</summary>
    public long Pending
    {
        get
        {
            var ends = _buffer.EndPositions();
            return Enumerable.Range(0, ends.Length).Sum(p => Math.Max(0, ends[p] - _progress.Forwarded(p)));
        }
    }

    /// <summary>How long the oldest record not yet in Kafka has waited (zero when none waits), to within a tenth of a second.</summary>
    public TimeSpan OldestPendingAge =>
        _ages.OldestPendingSince(_progress.Snapshot()) is { } since ? Max(TimeSpan.Zero, _timeProvider.GetUtcNow() - since) : TimeSpan.Zero;

    /// <inheritdoc />
    /// <remarks>
    /// Ready while the buffer takes appends: a backlog, even with Kafka away, is what the buffer is for (degraded,
    /// with its figures). Not ready once it refused an append for being full, until forwarding frees space or an
    /// append fits again, or when the buffer's own disk fails.
    /// </remarks>
    public EventLogHealth Health
    {
        get
        {
            var pending = Pending;
            var bytes = _buffer.SizeInBytes;
            var reachable = _progress.KafkaReachable;
            var details = new Dictionary<string, object>
            {
                ["pendingRecords"] = pending,
                ["bufferBytes"] = bytes,
                ["maxBytes"] = MaxBytes,
                ["oldestPendingSeconds"] = Math.Round(OldestPendingAge.TotalSeconds, 1),
                ["kafkaReachable"] = reachable is { } known ? known : "unknown",
                ["forwarding"] = _progress.State.ToString().ToLowerInvariant(),
                ["forwardedRecords"] = _progress.ForwardedRecords,
                ["directory"] = _buffer.Directory,
            };
            if (_progress.LastError is { } error)
            {
                details["lastError"] = error;
            }

            var buffer = _buffer.Health;
            if (!buffer.Ready)
            {
                return new EventLogHealth(false, $"ingest buffer: {buffer.Description}", Details: details);
            }

            var full = IsFull(bytes);
            details["full"] = full;
            var summary = string.Create(CultureInfo.InvariantCulture, $"{pending} events wait for Kafka topic '{_kafka.Topic}' in the ingest buffer ({bytes} of {MaxBytes} bytes)");
            if (full)
            {
                return new EventLogHealth(false, $"the ingest buffer is full: {summary}; events are refused until Kafka takes records", Details: details);
            }

            return reachable == false || _progress.State == ForwardingState.Retrying
                ? new EventLogHealth(true, $"Kafka does not take records ({_progress.LastError ?? "unreachable"}); events are acknowledged from the ingest buffer: {summary}", Degraded: true, Details: details)
                : new EventLogHealth(true, $"forwarding to Kafka: {summary}", Details: details);
        }
    }

    /// <summary>
    /// Opens (or creates) the buffer in <paramref name="directory"/> and starts forwarding it to <paramref name="kafka"/>'s
    /// topic. A new buffer gets the topic's partition count (so Kafka must answer then); an existing one keeps its own,
    /// so a gateway restarts and takes events while Kafka is away.
    /// </summary>
    public static BufferedKafkaEventLog Open(
        KafkaOptions kafka,
        string directory,
        long maxBytes,
        ILoggerFactory loggers,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 64 * 1024);
        directory = Path.GetFullPath(directory);
        var partitions = FileEventLog.StoredPartitionCount(directory) ?? TopicPartitionCount(kafka, loggers);

        // Forwarded records are deleted a segment at a time: segments small enough that at most about a quarter of the
        // capacity holds records already in Kafka.
        var segmentBytes = Math.Clamp(maxBytes / (4L * partitions), 16 * 1024, 64L * 1024 * 1024);
        var buffer = FileEventLog.Open(directory, partitions, segmentBytes, loggers.CreateLogger<FileEventLog>(), timeProvider, maxBytes);
        return new BufferedKafkaEventLog(buffer, kafka, loggers, timeProvider ?? TimeProvider.System, meterFactory);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Durable in the buffer when this completes, not yet in Kafka. All or nothing as the embedded log's appends are;
    /// <see cref="EventLogFullException"/> when the buffer is full.
    /// </remarks>
    public async ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            await _buffer.AppendAsync(records, cancellationToken).ConfigureAwait(false);
        }
        catch (EventLogFullException)
        {
            var bytes = _buffer.SizeInBytes;
            if (Interlocked.Exchange(ref _sizeWhenFull, bytes) < 0)
            {
                EventLogLog.BufferFull(_logger, _buffer.Directory, bytes, MaxBytes, Pending);
            }

            _metrics.Refused();
            throw new EventLogFullException(string.Create(
                CultureInfo.InvariantCulture,
                $"The ingest buffer holds {bytes} of its {MaxBytes} bytes (EventLog:BufferMaxBytes) because Kafka is slow or unreachable; nothing of this request was stored."));
        }

        _ages.Acknowledged(_timeProvider.GetUtcNow(), _buffer.EndPositions());
        if (Volatile.Read(ref _sizeWhenFull) >= 0 && Interlocked.Exchange(ref _sizeWhenFull, -1) >= 0)
        {
            EventLogLog.BufferHasRoom(_logger, _buffer.Directory, _buffer.SizeInBytes, MaxBytes);
        }
    }

    /// <inheritdoc />
    public IEventLogConsumer OpenConsumer(string group) => Direct.OpenConsumer(group);

    /// <inheritdoc />
    /// <remarks>
    /// First waits until every record this buffer acknowledged before the call is in Kafka, so the ends returned
    /// cover them (the period close's snapshot of "everything acknowledged by now").
    /// </remarks>
    /// <exception cref="IOException">Kafka has not taken them within 30 s (it is away): the ends would not cover them.</exception>
    public async ValueTask<IReadOnlyList<long>> GetEndPositionsAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ForwardedTimeout);
        try
        {
            await WaitForwardedAsync(_buffer.EndPositions(), limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Pending} events this gateway acknowledged are not in Kafka topic '{_kafka.Topic}' yet; Kafka's end positions would not cover them."));
        }

        return await Direct.GetEndPositionsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<long>> GetCommittedPositionsAsync(string group, CancellationToken cancellationToken) =>
        Direct.GetCommittedPositionsAsync(group, cancellationToken);

    /// <summary>
    /// Waits until Kafka has acknowledged every record the buffer held when called, at most <paramref name="timeout"/>;
    /// whether it got there. For a graceful stop, so a buffer on a disk that goes with the process is left empty.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await WaitForwardedAsync(_buffer.EndPositions(), limit.Token).ConfigureAwait(false);
            EventLogLog.BufferDrained(_logger);
            return true;
        }
        catch (OperationCanceledException)
        {
            EventLogLog.BufferLeftPending(_logger, Pending);
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _forwarder.DisposeAsync().ConfigureAwait(false);
        await _buffer.DisposeAsync().ConfigureAwait(false);
        KafkaEventLog? direct;
        lock (_directGate)
        {
            direct = _direct;
            _direct = null;
        }

        if (direct is not null)
        {
            await direct.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
    }

    /// <summary>The buffer's end positions (what it acknowledged), for tests.</summary>
    internal long[] BufferEnds => _buffer.EndPositions();

    /// <summary>Completes once every partition's forwarded position reached <paramref name="ends"/>.</summary>
    internal Task WaitForwardedAsync(IReadOnlyList<long> ends, CancellationToken cancellationToken) =>
        _progress.WaitForwardedAsync(ends, cancellationToken);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The topic's partition count, asked of Kafka once when a buffer is created.</summary>
    private static int TopicPartitionCount(KafkaOptions kafka, ILoggerFactory loggers)
    {
        var direct = new KafkaEventLog(kafka, loggers.CreateLogger<KafkaEventLog>());
        var partitions = direct.PartitionCount;
        direct.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return partitions;
    }

    // The direct log serves consumers and progress; a gateway that only ingests never connects it.
    private KafkaEventLog Direct
    {
        get
        {
            lock (_directGate)
            {
                return _direct ??= new KafkaEventLog(_kafka, _loggers.CreateLogger<KafkaEventLog>());
            }
        }
    }

    private bool IsFull(long bytes)
    {
        var whenFull = Volatile.Read(ref _sizeWhenFull);
        return whenFull >= 0 && bytes >= whenFull;
    }
}
