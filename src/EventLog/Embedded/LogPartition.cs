using System.Buffers;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// One partition: a directory of segment files. Written only by the log's single writer loop, in three steps
/// per group commit: <see cref="Append"/> buffers, <see cref="Write"/> writes and fsyncs, and after the commit
/// journal entry <see cref="Publish"/> lets readers see the records; <see cref="Rollback"/> instead returns the
/// files to the last published state. Read concurrently by consumers, which never see past
/// <see cref="DurableNext"/>.
/// </summary>
internal sealed class LogPartition : IDisposable
{
    private readonly List<LogSegment> _segments;
    private readonly long _segmentBytes;
    private readonly WriteSteps _steps;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private FileStream _active;
    private LogSegment _activeSegment;
    private long _next;
    private long _durableNext;
    private long _rollbacks;

    // The last published state, which Rollback restores.
    private int _committedSegments;
    private long _committedLength;
    private long _committedRecords;

    // Whether the files may hold bytes or segments past the published state.
    private bool _dirty;

    private LogPartition(int id, string directory, long segmentBytes, List<LogSegment> segments, long next, WriteSteps steps)
    {
        Id = id;
        Directory = directory;
        _segmentBytes = segmentBytes;
        _segments = segments;
        _steps = steps;
        _next = next;
        _durableNext = next;
        _activeSegment = segments[^1];
        _active = OpenForAppend(_activeSegment);
        MarkCommitted();
    }

    public int Id { get; }

    public string Directory { get; }

    /// <summary>Records before this position are committed and visible to readers.</summary>
    public long DurableNext => Volatile.Read(ref _durableNext);

    /// <summary>The position after the last record appended so far, committed or not. Writer only.</summary>
    public long Next => _next;

    /// <summary>
    /// Counts rollbacks that cut written bytes. A reader's read-ahead may hold such bytes from past
    /// <see cref="DurableNext"/>, and a later group writes other records at the same offsets, so a reader drops
    /// its buffer when this changes.
    /// </summary>
    public long Rollbacks => Volatile.Read(ref _rollbacks);

    /// <summary>Whether a rollback is still unfinished on disk. Writer only.</summary>
    public bool NeedsRollback => _dirty;

    /// <summary>
    /// Opens the partition, cutting it back to <paramref name="committedNext"/> records when the commit journal
    /// gives that (records after it were never acknowledged), and cutting any torn tail.
    /// </summary>
    public static LogPartition Open(int id, string directory, long segmentBytes, long? committedNext, WriteSteps steps, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(directory);
        var segments = System.IO.Directory.GetFiles(directory, "*.seg")
            .Select(path => (Path: path, Ok: long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), out var b), Base: b))
            .Where(s => s.Ok)
            .OrderBy(s => s.Base)
            .Select(s => new LogSegment(s.Base, s.Path))
            .ToList();
        if (segments.Count == 0)
        {
            var first = new LogSegment(0, System.IO.Path.Combine(directory, LogSegment.FileName(0)));
            File.Create(first.Path).Dispose();
            DirectorySync.Flush(directory);
            segments.Add(first);
        }

        if (committedNext is { } committed)
        {
            DropSegmentsAfter(committed, directory, segments, logger);
        }

        var next = segments[0].BasePosition;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.BasePosition != next)
            {
                throw new InvalidDataException(
                    $"Event log segment '{segment.Path}' starts at position {segment.BasePosition} but the previous segment ends at {next}.");
            }

            SegmentScanner.Recover(segment, isLast: i == segments.Count - 1, committedNext - segment.BasePosition, logger);
            next += segment.RecordCount;
            if (i < segments.Count - 1)
            {
                segment.EndPosition = next;
            }
        }

        if (next < committedNext)
        {
            EventLogLog.CommittedRecordsMissing(logger, directory, committedNext.Value, next);
        }

        return new LogPartition(id, directory, segmentBytes, segments, next, steps);
    }

    /// <summary>Buffers one record and returns its position. Writer loop only.</summary>
    public long Append(LogRecord record)
    {
        var active = _segments[^1];
        if (active.RecordCount > 0 && active.Length + _pending.WrittenCount + RecordFrame.SizeOf(record) > _segmentBytes)
        {
            // Roll before this record so a segment only exceeds its size when a single record does.
            Write();
            Roll();
            active = _segments[^1];
        }

        active.NoteRecord(active.Length + _pending.WrittenCount);
        RecordFrame.Encode(_pending, record);
        return _next++;
    }

    /// <summary>Writes and fsyncs buffered records; readers see them only after <see cref="Publish"/>. Writer only.</summary>
    public void Write()
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        var active = _segments[^1];
        _steps.Reached(WriteStep.SegmentWrite, Id, _pending.WrittenCount);
        _dirty = true;
        _active.Position = active.Length;
        _active.Write(_pending.WrittenSpan);
        _active.Flush(flushToDisk: true);
        active.Length += _pending.WrittenCount;
        _pending.ResetWrittenCount();
        _steps.Reached(WriteStep.SegmentSynced, Id, 0);
    }

    /// <summary>Makes every written record visible to readers; called once the commit journal holds them. Writer only.</summary>
    public void Publish()
    {
        MarkCommitted();
        Volatile.Write(ref _durableNext, _next);
    }

    /// <summary>
    /// Returns the partition, in memory and on disk, to its last published state: deletes segments rolled since,
    /// and truncates the active one (neither needs free space). If a file operation fails, <see cref="NeedsRollback"/>
    /// stays true and the writer calls this again before the next write. Writer only.
    /// </summary>
    public void Rollback()
    {
        _pending.ResetWrittenCount();
        _next = _durableNext;
        var deleted = false;
        while (_segments.Count > _committedSegments)
        {
            File.Delete(_segments[^1].Path);
            lock (_segments)
            {
                _segments.RemoveAt(_segments.Count - 1);
            }

            deleted = true;
        }

        var last = _segments[^1];
        last.Restore(_committedLength, _committedRecords);
        if (!_dirty)
        {
            return;
        }

        if (deleted)
        {
            // Else a deleted segment could reappear after power loss, once later commits moved the end past its base.
            DirectorySync.Flush(Directory);
        }

        if (!ReferenceEquals(_activeSegment, last))
        {
            var reopened = OpenForAppend(last);
            _active.Dispose();
            _active = reopened;
            _activeSegment = last;
        }

        _active.SetLength(_committedLength);

        // After the cut, so a reader that buffered the cut bytes always sees a new count (see Rollbacks).
        Interlocked.Increment(ref _rollbacks);
        _dirty = false;
    }

    /// <summary>The position of the oldest record still on disk: 0 unless segments were released.</summary>
    public long FirstPosition
    {
        get
        {
            lock (_segments)
            {
                return _segments[0].BasePosition;
            }
        }
    }

    /// <summary>Bytes in the partition's segment files (read while the writer may be writing: approximate then).</summary>
    public long SizeInBytes
    {
        get
        {
            lock (_segments)
            {
                return _segments.Sum(s => s.Length);
            }
        }
    }

    /// <summary>
    /// Deletes the segments whose records all lie before <paramref name="position"/>, oldest first, for a log whose
    /// only reader has passed them (the ingest buffer's forwarder, once Kafka acknowledged them). When every
    /// committed record is released and the active segment holds at least <paramref name="rollAtBytes"/>, it is
    /// sealed first (a new, empty one takes its place) so it can go too. Returns the bytes freed. Writer only,
    /// between groups; a failure leaves the partition consistent (an unfinished roll is rolled back before the
    /// next write, a segment not yet deleted is deleted by a later release).
    /// </summary>
    public long Release(long position, long rollAtBytes)
    {
        if (_dirty)
        {
            // A failed group's rollback is unfinished; the next group finishes it, a later release frees the space.
            return 0;
        }

        position = Math.Min(position, _durableNext);
        var active = _segments[^1];
        if (position == _next && _pending.WrittenCount == 0 && active.RecordCount > 0 && active.Length >= rollAtBytes)
        {
            Roll();
            MarkCommitted();
        }

        long freed = 0;
        while (_segments.Count > 1 && _segments[0].EndPosition >= 0 && _segments[0].EndPosition <= position)
        {
            var oldest = _segments[0];
            File.Delete(oldest.Path);
            lock (_segments)
            {
                _segments.RemoveAt(0);
            }

            _committedSegments--;
            freed += oldest.Length;

            // Oldest first, each deletion durable before the next, so a power loss never leaves a gap in the run.
            DirectorySync.Flush(Directory);
        }

        return freed;
    }

    /// <summary>The segment holding <paramref name="position"/>, which must be below <see cref="DurableNext"/>.</summary>
    public LogSegment SegmentFor(long position)
    {
        lock (_segments)
        {
            var lo = 0;
            var hi = _segments.Count - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (_segments[mid].BasePosition <= position)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return _segments[lo];
        }
    }

    public void Dispose() => _active.Dispose();

    private static void DropSegmentsAfter(long committed, string directory, List<LogSegment> segments, ILogger logger)
    {
        if (segments[0].BasePosition > committed)
        {
            throw new InvalidDataException(
                $"Event log partition '{directory}' starts at position {segments[0].BasePosition}, after its committed end {committed}.");
        }

        var deleted = false;
        while (segments[^1].BasePosition > committed)
        {
            // Rolled during a group that never committed: it holds only that group's records. Newest first, so
            // an interrupted recovery still leaves a gapless run of segments.
            EventLogLog.UncommittedSegmentDeleted(logger, segments[^1].Path, committed);
            File.Delete(segments[^1].Path);
            segments.RemoveAt(segments.Count - 1);
            deleted = true;
        }

        if (deleted)
        {
            DirectorySync.Flush(directory);
        }
    }

    private void MarkCommitted()
    {
        var active = _segments[^1];
        _committedSegments = _segments.Count;
        _committedLength = active.Length;
        _committedRecords = active.RecordCount;
        _dirty = false;
    }

    private void Roll()
    {
        var sealedSegment = _segments[^1];
        var next = new LogSegment(_next, System.IO.Path.Combine(Directory, LogSegment.FileName(_next)));
        _dirty = true;
        var stream = OpenForAppend(next, FileMode.CreateNew);

        // Listed before anything else can fail, so a rollback finds and deletes the new file.
        lock (_segments)
        {
            _segments.Add(next);
        }

        sealedSegment.EndPosition = _next;
        _active.Dispose();
        _active = stream;
        _activeSegment = next;
        DirectorySync.Flush(Directory);
    }

    private static FileStream OpenForAppend(LogSegment segment, FileMode mode = FileMode.Open) =>
        new(segment.Path, mode, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
}
