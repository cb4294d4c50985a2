namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// When buffered records were acknowledged, coarsely, so the age of the oldest record not yet in Kafka can be
/// told without a timestamp in every record: a list of checkpoints (an instant and every partition's end
/// position then), one per <see cref="Window"/> in which appends completed. A checkpoint covers the records
/// between the previous checkpoint's ends and its own, acknowledged within its window; a record is as old as
/// the first checkpoint that covers it, give or take one window. Records already in the buffer when the process
/// started count from the start. Thread-safe.
/// </summary>
internal sealed class PendingAges
{
    /// <summary>Appends completing within this of a checkpoint's instant extend it rather than add one.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    // An outage of ten hours at one checkpoint per window; past it the last checkpoint covers everything newer.
    private const int MaxCheckpoints = 360_000;

    private readonly LinkedList<(DateTimeOffset At, long[] Ends)> _checkpoints = new();
    private readonly Lock _gate = new();

    /// <summary>Starts with the buffer's ends at start-up, acknowledged (at the latest) at <paramref name="openedAt"/>.</summary>
    public PendingAges(DateTimeOffset openedAt, IReadOnlyList<long> ends) => _checkpoints.AddLast((openedAt, [.. ends]));

    /// <summary>Notes that every record below <paramref name="ends"/> was acknowledged by <paramref name="now"/>.</summary>
    public void Acknowledged(DateTimeOffset now, IReadOnlyList<long> ends)
    {
        lock (_gate)
        {
            var last = _checkpoints.Last;
            if (last is not null && (now - last.Value.At < Window || _checkpoints.Count >= MaxCheckpoints))
            {
                for (var p = 0; p < ends.Count; p++)
                {
                    last.Value.Ends[p] = Math.Max(last.Value.Ends[p], ends[p]);
                }

                return;
            }

            _checkpoints.AddLast((now, [.. ends]));
        }
    }

    /// <summary>
    /// When the oldest record at or after <paramref name="forwarded"/> (per partition) was acknowledged, or null when
    /// no checkpoint covers one (nothing pending); forgets checkpoints wholly forwarded.
    /// </summary>
    public DateTimeOffset? OldestPendingSince(IReadOnlyList<long> forwarded)
    {
        lock (_gate)
        {
            while (_checkpoints.First is { } first)
            {
                var pending = false;
                for (var p = 0; p < forwarded.Count && !pending; p++)
                {
                    pending = first.Value.Ends[p] > forwarded[p];
                }

                if (pending)
                {
                    return first.Value.At;
                }

                if (first.Next is null)
                {
                    // Keep the newest, so ends never go back to zero for a partition appended to long ago.
                    return null;
                }

                _checkpoints.RemoveFirst();
            }

            return null;
        }
    }
}
