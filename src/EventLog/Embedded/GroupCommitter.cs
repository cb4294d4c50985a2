using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// Makes one group of appends durable across all partitions, or none of it: writes and fsyncs the records
/// of every touched partition, then commits them with one <see cref="CommitJournal"/> entry, and only then
/// publishes them to readers. A failure at any step rolls every partition back to its last committed state.
/// Used by the writer loop only.
/// </summary>
internal sealed class GroupCommitter : IDisposable
{
    private const string ProbeFile = "space.probe";

    private readonly string _directory;
    private readonly LogPartition[] _partitions;
    private readonly CommitJournal _journal;
    private readonly WriteSteps _steps;
    private readonly ILogger _logger;
    private readonly long[] _positions;
    private readonly bool[] _touched;

    private GroupCommitter(string directory, LogPartition[] partitions, long segmentBytes, CommitJournal journal, WriteSteps steps, ILogger logger)
    {
        _directory = directory;
        SegmentBytes = segmentBytes;
        _partitions = partitions;
        _journal = journal;
        _steps = steps;
        _logger = logger;
        _positions = new long[partitions.Length];
        _touched = new bool[partitions.Length];
    }

    public LogPartition[] Partitions => _partitions;

    /// <summary>Size past which a partition rolls to a new segment.</summary>
    public long SegmentBytes { get; }

    /// <summary>Bytes in every partition's segment files.</summary>
    public long SizeInBytes => _partitions.Sum(p => p.SizeInBytes);

    /// <summary>Journal size past which the next group first compacts it to a single entry.</summary>
    public long JournalCompactBytes { get; set; } = CommitJournal.DefaultCompactBytes;

    /// <summary>
    /// Opens the journal and the partitions of the log in <paramref name="root"/>, cutting every
    /// partition back to the journal's last entry.
    /// </summary>
    public static GroupCommitter Open(LogDirectory root, int partitions, long segmentBytes, WriteSteps steps, ILogger logger)
    {
        var directory = root.Path;

        // A probe interrupted by a crash would keep its reserved blocks for as long as the file exists.
        File.Delete(Path.Combine(directory, ProbeFile));
        var (journal, committed) = CommitJournal.Open(directory, partitions, steps, logger);
        var opened = new List<LogPartition>(partitions);
        try
        {
            for (var i = 0; i < partitions; i++)
            {
                opened.Add(LogPartition.Open(i, root.PartitionPath(i), segmentBytes, committed?[i], steps, logger));
            }
        }
        catch
        {
            opened.ForEach(p => p.Dispose());
            journal.Dispose();
            throw;
        }

        if (committed is null && opened.Sum(p => p.DurableNext) is > 0 and var records)
        {
            EventLogLog.JournalAdopted(logger, directory, records);
        }

        // Positions below the journal's (intact records lost) must be committed anew before any new record is
        // written, or the old entry would later cover that record even if its group failed.
        if (committed is not null && opened.Where((p, i) => p.DurableNext != committed[i]).Any())
        {
            journal.RequireRewrite();
        }

        return new GroupCommitter(directory, [.. opened], segmentBytes, journal, steps, logger);
    }

    /// <summary>Commits <paramref name="records"/> all together; on failure rolls back and rethrows.</summary>
    public void Commit(IEnumerable<LogRecord> records)
    {
        try
        {
            Prepare();
            foreach (var record in records)
            {
                var partition = KeyPartitioner.ForKey(record.Key, _partitions.Length);
                _partitions[partition].Append(record);
                _touched[partition] = true;
            }

            for (var i = 0; i < _partitions.Length; i++)
            {
                if (_touched[i])
                {
                    _partitions[i].Write();
                }

                _positions[i] = _partitions[i].Next;
            }

            _journal.Append(_positions);
        }
        catch
        {
            RollBack();
            throw;
        }

        for (var i = 0; i < _partitions.Length; i++)
        {
            if (_touched[i])
            {
                _partitions[i].Publish();
                _touched[i] = false;
            }
        }
    }

    /// <summary>
    /// Checks that the log could write <paramref name="bytes"/> again: finishes any unfinished rollback and
    /// journal repair, then reserves that many bytes in a scratch file. Reserving (fallocate) fails on a full
    /// disk exactly as writing would, without writing anything; on a file system without fallocate .NET
    /// skips the reservation, and the probe only proves that files can be created.
    /// </summary>
    public void Probe(long bytes)
    {
        Prepare();
        _steps.Reached(WriteStep.Probe, -1, bytes);
        var path = Path.Combine(_directory, ProbeFile);
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, PreallocationSize = bytes }))
        {
        }

        File.Delete(path);
    }

    public void Dispose()
    {
        foreach (var partition in _partitions)
        {
            partition.Dispose();
        }

        _journal.Dispose();
    }

    /// <summary>Brings files and journal to a known committed state before anything new is written.</summary>
    private void Prepare()
    {
        foreach (var partition in _partitions)
        {
            if (partition.NeedsRollback)
            {
                partition.Rollback();
            }
        }

        if (!_journal.NeedsRewrite && _journal.Length <= JournalCompactBytes)
        {
            return;
        }

        for (var i = 0; i < _partitions.Length; i++)
        {
            _positions[i] = _partitions[i].DurableNext;
        }

        try
        {
            _journal.Rewrite(_positions);
        }
        catch (Exception ex) when (!_journal.NeedsRewrite)
        {
            // Only compaction failed and the old journal still holds: go on appending to it.
            EventLogLog.JournalCompactionFailed(_logger, ex, _journal.FilePath);
        }
    }

    private void RollBack()
    {
        for (var i = 0; i < _partitions.Length; i++)
        {
            _touched[i] = false;
            try
            {
                _partitions[i].Rollback();
            }
            catch (Exception ex)
            {
                // The partition stays marked; Prepare finishes the rollback before the next group writes.
                EventLogLog.RollbackFailed(_logger, ex, i, _directory);
            }
        }
    }
}
