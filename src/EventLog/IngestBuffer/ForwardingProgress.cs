using Tally.EventLog.Embedded;

namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// How far the forwarder got (per buffer partition, the position below which Kafka acknowledged every record) and
/// what it is doing; read by the buffered log's health and metrics and by callers waiting for records to reach
/// Kafka. Written by the forwarder only. Thread-safe.
/// </summary>
internal sealed class ForwardingProgress
{
    private readonly long[] _forwarded;
    private readonly AppendSignal _advanced = new();
    private long _forwardedRecords;
    private int _kafkaReachable = -1;
    private volatile ForwardingState _state = ForwardingState.Connecting;
    private volatile string? _lastError;

    public ForwardingProgress(IReadOnlyList<long> forwarded) => _forwarded = [.. forwarded];

    public int PartitionCount => _forwarded.Length;

    public ForwardingState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>Whether Kafka answered last time it was asked; null before the first answer.</summary>
    public bool? KafkaReachable => Volatile.Read(ref _kafkaReachable) switch { 1 => true, 0 => false, _ => null };

    /// <summary>Why the last forwarding attempt failed, until one succeeds.</summary>
    public string? LastError => _lastError;

    /// <summary>Records Kafka acknowledged since the process started (re-sends included).</summary>
    public long ForwardedRecords => Interlocked.Read(ref _forwardedRecords);

    public long Forwarded(int partition) => Volatile.Read(ref _forwarded[partition]);

    public long[] Snapshot() => [.. Enumerable.Range(0, _forwarded.Length).Select(Forwarded)];

    public void Reachable(bool reachable) => Volatile.Write(ref _kafkaReachable, reachable ? 1 : 0);

    /// <summary>Kafka acknowledged every record of <paramref name="partition"/> before <paramref name="position"/>.</summary>
    public void Advance(int partition, long position, long records)
    {
        Volatile.Write(ref _forwarded[partition], position);
        Interlocked.Add(ref _forwardedRecords, records);
        _lastError = null;
        Reachable(true);
        _advanced.Pulse();
    }

    /// <summary>A session ended without Kafka taking everything: reported unreachable until it answers again.</summary>
    public void Failed(string reason)
    {
        _lastError = reason;
        Reachable(false);
        _state = ForwardingState.Retrying;
        _advanced.Pulse();
    }

    /// <summary>Completes once every partition's forwarded position is at least its <paramref name="targets"/> entry.</summary>
    public async Task WaitForwardedAsync(IReadOnlyList<long> targets, CancellationToken cancellationToken)
    {
        while (true)
        {
            var advanced = _advanced.Next;
            if (Enumerable.Range(0, targets.Count).All(p => Forwarded(p) >= targets[p]))
            {
                return;
            }

            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
