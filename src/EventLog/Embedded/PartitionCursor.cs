using Microsoft.Win32.SafeHandles;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// A consumer's read position in one partition, with its open segment handle and a read-ahead buffer
/// so sequential reads cost one syscall per buffer, not per record.
/// </summary>
internal sealed class PartitionCursor(LogPartition partition, long position) : IDisposable
{
    private LogSegment? _segment;
    private SafeFileHandle? _handle;
    private long _offset;
    private byte[] _buffer = new byte[256 * 1024];
    private long _bufferStart;
    private int _bufferCount;
    private long _bufferRollbacks;

    public LogPartition Partition { get; } = partition;

    public long Position { get; private set; } = position;

    public bool HasData => Position < Partition.DurableNext;

    /// <summary>Reads up to <paramref name="maxRecords"/> durable records; returns null if there are none.</summary>
    public LogBatch? Read(int maxRecords)
    {
        var durable = Partition.DurableNext;
        if (Position >= durable)
        {
            return null;
        }

        // Read after DurableNext, so a rollback that preceded the records now published is seen: the buffer
        // may hold bytes of that rolled-back group where the published records now are.
        if (Partition.Rollbacks != _bufferRollbacks)
        {
            _bufferCount = 0;
        }

        var first = Position;
        var records = new List<StoredRecord>((int)Math.Min(maxRecords, durable - Position));
        while (records.Count < maxRecords && Position < durable)
        {
            if (_segment is null || (_segment.EndPosition >= 0 && Position >= _segment.EndPosition))
            {
                Seek();
            }

            var header = Fetch(_offset, RecordFrame.HeaderSize);
            var frame = Fetch(_offset, RecordFrame.FrameLength(header));
            records.Add(RecordFrame.Decode(frame, Partition.Id, Position));
            _offset += frame.Length;
            Position++;
        }

        return new LogBatch(Partition.Id, first, Position, records);
    }

    public void Dispose() => _handle?.Dispose();

    private void Seek()
    {
        _segment = Partition.SegmentFor(Position);
        _handle?.Dispose();
        _handle = File.OpenHandle(_segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _bufferCount = 0;
        var (position, offset) = _segment.Floor(Position);
        _offset = offset;
        while (position < Position)
        {
            _offset += RecordFrame.FrameLength(Fetch(_offset, RecordFrame.HeaderSize));
            position++;
        }
    }

    private ReadOnlySpan<byte> Fetch(long offset, int count)
    {
        if (offset < _bufferStart || offset + count > _bufferStart + _bufferCount)
        {
            if (count > _buffer.Length)
            {
                _buffer = new byte[count];
            }

            _bufferStart = offset;
            _bufferCount = 0;
            _bufferRollbacks = Partition.Rollbacks;
            int read;
            while (_bufferCount < count && (read = RandomAccess.Read(_handle!, _buffer.AsSpan(_bufferCount), offset + _bufferCount)) > 0)
            {
                _bufferCount += read;
            }

            if (_bufferCount < count)
            {
                throw new InvalidDataException(
                    $"Event log segment '{_segment!.Path}' ends at byte {offset + _bufferCount} inside a durable record.");
            }
        }

        return _buffer.AsSpan((int)(offset - _bufferStart), count);
    }
}
