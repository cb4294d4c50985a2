namespace Tally.EventLog.Embedded;

/// <summary>A point in the writer's file operations, reported to <see cref="WriteSteps"/>.</summary>
internal enum WriteStep
{
    /// <summary>Before buffered records are written to a partition's active segment.</summary>
    SegmentWrite,

    /// <summary>After a partition's write was fsync'd.</summary>
    SegmentSynced,

    /// <summary>Before a commit journal entry is written.</summary>
    JournalWrite,

    /// <summary>After a journal entry was written, before its fsync.</summary>
    JournalWritten,

    /// <summary>After a journal entry was fsync'd, before the group is published.</summary>
    JournalSynced,

    /// <summary>Before the journal is replaced by a new file holding only the committed positions.</summary>
    JournalRewrite,

    /// <summary>Before the space probe of an unhealthy log.</summary>
    Probe,
}

/// <summary>
/// Test seam of the embedded log: <see cref="Hook"/>, when set, runs synchronously on the writer at every
/// <see cref="WriteStep"/>, so a test can fail a step (throw, e.g. an IOException with ENOSPC's errno) or copy
/// the directory as a crash at that point would leave it. Production code never sets it.
/// </summary>
internal sealed class WriteSteps
{
    /// <summary>Called with the step, the partition (-1 for the journal and the probe) and the bytes about to be written.</summary>
    public Action<WriteStep, int, long>? Hook { get; set; }

    public void Reached(WriteStep step, int partition, long bytes) => Hook?.Invoke(step, partition, bytes);
}
