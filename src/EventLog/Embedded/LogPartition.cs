using System.Buffers;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// One partition: a directory of segment files. Written only by the log's single writer loop; read
/// concurrently by consumers, which never see past <see cref="DurableNext"/> (records fsync'd).
/// </summary>
internal sealed class LogPartition : IDisposable
{
    private readonly List<LogSegment> _segments;
    private readonly long _segmentBytes;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private FileStream _active;
    private long _next;
    private long _durableNext;

    private LogPartition(int id, string directory, long segmentBytes, List<LogSegment> segments, long next)
    {
        Id = id;
        Directory = directory;
        _segmentBytes = segmentBytes;
        _segments = segments;
        _next = next;
        _durableNext = next;
        _active = OpenForAppend(segments[^1]);
    }

    public int Id { get; }

    public string Directory { get; }

    /// <summary>Records before this position are durable and visible to readers.</summary>
    public long DurableNext => Volatile.Read(ref _durableNext);

    public static LogPartition Open(int id, string directory, long segmentBytes, ILogger logger)
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

        var next = segments[0].BasePosition;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.BasePosition != next)
            {
                throw new InvalidDataException(
                    $"Event log segment '{segment.Path}' starts at position {segment.BasePosition} but the previous segment ends at {next}.");
            }

            SegmentScanner.Recover(segment, isLast: i == segments.Count - 1, logger);
            next += segment.RecordCount;
            if (i < segments.Count - 1)
            {
                segment.EndPosition = next;
            }
        }

        return new LogPartition(id, directory, segmentBytes, segments, next);
    }

    /// <summary>Buffers one record and returns its position. Writer loop only.</summary>
    public long Append(LogRecord record)
    {
        var active = _segments[^1];
        if (active.RecordCount > 0 && active.Length + _pending.WrittenCount + RecordFrame.SizeOf(record) > _segmentBytes)
        {
            // Roll before this record so a segment only exceeds its size when a single record does.
            Flush();
            Roll();
            active = _segments[^1];
        }

        active.NoteRecord(active.Length + _pending.WrittenCount);
        RecordFrame.Encode(_pending, record);
        return _next++;
    }

    /// <summary>Writes buffered records, fsyncs, and publishes them to readers. Writer loop only.</summary>
    public void Flush()
    {
        if (_pending.WrittenCount > 0)
        {
            var active = _segments[^1];
            _active.Position = active.Length;
            _active.Write(_pending.WrittenSpan);
            _active.Flush(flushToDisk: true);
            active.Length += _pending.WrittenCount;
            _pending.ResetWrittenCount();
        }

        Volatile.Write(ref _durableNext, _next);
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

    private void Roll()
    {
        var sealedSegment = _segments[^1];
        var next = new LogSegment(_next, System.IO.Path.Combine(Directory, LogSegment.FileName(_next)));
        var stream = OpenForAppend(next, FileMode.CreateNew);
        DirectorySync.Flush(Directory);
        sealedSegment.EndPosition = _next;
        _active.Dispose();
        _active = stream;
        lock (_segments)
        {
            _segments.Add(next);
        }
    }

    private static FileStream OpenForAppend(LogSegment segment, FileMode mode = FileMode.Open) =>
        new(segment.Path, mode, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
}
